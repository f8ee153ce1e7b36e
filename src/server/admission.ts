// Admission control for ingest requests: at most `slots` requests are read, decoded and
// committed at once; the rest wait in arrival order before their bodies are read (so a
// waiting request costs a socket, not its body's memory). A request is refused with 503 at
// once when its expected wait (the requests ahead of it times the measured time a slot
// takes, divided by the slots) is past `maxWaitMs`, and later if it is still waiting then.
// The line is ordered by expected finish, not arrival: a waiter's place is its arrival
// time plus the time its body is expected to take (its size at the measured cost per
// byte, capped at half of `maxWaitMs`), so a flood of large bodies (a gzip-bomb attack, or
// one huge batch) does not hold up small ordinary batches for long, and a large body is
// delayed by at most that cap before its turn.
// This catches overload wherever it comes from (the store, or the CPU that decodes,
// redacts and analyses on the event loop) instead of only a full store queue, and answers
// before the client's own timeout, so an exporter retries a refusal rather than a batch that
// may already be stored. A waiter whose client went away leaves the line.

/** Why a request was not admitted; the receiver answers 503 with Retry-After. */
export class AdmissionRefusedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface AdmissionOptions {
  /** Requests in progress at once (each holds one from admission to its answer). */
  slots: number;
  /** Longest a request may wait for a slot, expected or actual. */
  maxWaitMs: number;
  /** For tests; default performance.now(). */
  now?: () => number;
  /**
   * Closes the door while it returns a refusal (the memory guard): new requests are refused at
   * once, and the waiting ones when a slot would have been theirs.
   */
  gate?: () => AdmissionRefusedError | null;
}

/** A slot held by an admitted request; release it exactly once, when the request is answered. */
export interface AdmissionTicket {
  release(): void;
}

interface Waiter {
  /** Arrival plus the expected time of its body: the line is kept in this order. */
  key: number;
  admit(): void;
  refuse(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface AcquireOptions {
  /** Aborted when the client went away: the request leaves the line (rejects with the reason). */
  signal?: AbortSignal;
  /** The body's declared size (Content-Length); unknown: the average so far. */
  bytes?: number;
}

/** Weight of the newest measurement in the moving average of a slot's time. */
const EWMA_WEIGHT = 0.2;

export class Admission {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  /** Moving average of the time one request holds a slot, in ms; null until one finished. */
  private slotMs: number | null = null;
  /** Moving averages of a request's body size and of slot time per body byte. */
  private avgBytes = 0;
  private msPerByte = 0;
  private readonly now: () => number;

  constructor(private readonly opts: AdmissionOptions) {
    if (opts.slots < 1) throw new Error('admission needs at least one slot');
    this.now = opts.now ?? (() => performance.now());
  }

  get inProgress(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** The measured average time a request holds a slot, in ms (null before the first). */
  get averageSlotMs(): number | null {
    return this.slotMs;
  }

  /** The gate's refusal while it is closed (for a listener that can refuse before it reads a body), else null. */
  closed(): AdmissionRefusedError | null {
    return this.opts.gate?.() ?? null;
  }

  /** What a request arriving now with a body of `bytes` would wait for a slot, by the measured slot time. */
  expectedWaitMs(bytes = this.avgBytes): number {
    if (this.active < this.opts.slots) return 0;
    const key = this.keyOf(bytes);
    let ahead = 0;
    for (const w of this.waiting) if (w.key <= key) ahead++;
    return ((ahead + 1) * (this.slotMs ?? 0)) / this.opts.slots;
  }

  /** A waiter's place in line: its arrival plus its body's expected time, capped. */
  private keyOf(bytes: number): number {
    return this.now() + Math.min(bytes * this.msPerByte, this.opts.maxWaitMs / 2);
  }

  /**
   * Resolves with a ticket when the request may go ahead; rejects with an
   * AdmissionRefusedError when it would wait, or has waited, past maxWaitMs.
   */
  acquire(opts: AcquireOptions = {}): Promise<AdmissionTicket> {
    const { signal } = opts;
    const closed = this.opts.gate?.();
    if (closed) return Promise.reject(closed);
    const bytes = opts.bytes ?? this.avgBytes;
    if (this.active < this.opts.slots && this.waiting.length === 0) return Promise.resolve(this.grant(bytes));
    const expected = this.expectedWaitMs(bytes);
    if (expected > this.opts.maxWaitMs) {
      return Promise.reject(
        new AdmissionRefusedError(
          `the receiver is overloaded: the expected wait is ${Math.round(expected)} ms; retry later`,
          retryAfter(expected),
        ),
      );
    }
    return new Promise<AdmissionTicket>((resolve, reject) => {
      const leave = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason ?? new Error('the client went away'));
      };
      const waiter: Waiter = {
        key: this.keyOf(bytes),
        admit: () => {
          leave();
          resolve(this.grant(bytes));
        },
        refuse: (err) => {
          leave();
          reject(err);
        },
        timer: setTimeout(() => {
          leave();
          reject(
            new AdmissionRefusedError(
              `the receiver is overloaded: waited ${this.opts.maxWaitMs} ms for a slot; retry later`,
              retryAfter(this.opts.maxWaitMs),
            ),
          );
        }, this.opts.maxWaitMs),
      };
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('the client went away'));
        clearTimeout(waiter.timer);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      let i = this.waiting.length;
      while (i > 0 && this.waiting[i - 1]!.key > waiter.key) i--;
      this.waiting.splice(i, 0, waiter);
    });
  }

  private grant(bytes: number): AdmissionTicket {
    this.active++;
    const start = this.now();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.active--;
        const took = this.now() - start;
        this.slotMs = this.slotMs === null ? took : this.slotMs + EWMA_WEIGHT * (took - this.slotMs);
        this.avgBytes += EWMA_WEIGHT * (bytes - this.avgBytes);
        if (bytes > 0) this.msPerByte += EWMA_WEIGHT * (took / bytes - this.msPerByte);
        const next = this.waiting[0];
        if (!next) return;
        const closed = this.opts.gate?.();
        if (closed) for (const w of [...this.waiting]) w.refuse(closed);
        else next.admit();
      },
    };
  }
}

function retryAfter(ms: number): number {
  return Math.min(30, Math.max(1, Math.ceil(ms / 1000)));
}
