// Keeps a node's resident memory under its cap (ORRERY_MAX_RSS_MB; issue 24, item 3). The RSS
// is sampled on a timer (every 250 ms: one read of the process's own counters, never per
// request). At `highShare` of the cap new ingest is refused (503, or 429 for Sentry SDKs, with
// Retry-After) and bodies still inflating are dropped; below `lowShare` it is taken again. The
// gap keeps the answer from flapping, and refusing early leaves room for the requests already
// admitted, so the RSS stays under the cap itself.
//
// Refusing ingest also stops the allocation that would make V8 collect the garbage the burst
// left behind (inflated bodies, decoded batches), so the RSS would stay high and the node would
// refuse for good. Near or over the mark the guard therefore runs a full collection (at most
// once every `gcEveryMs`) before it judges: a burst of garbage does not close the door, and a
// closed door opens once the garbage is gone, without a restart.
import v8 from 'node:v8';
import vm from 'node:vm';
import { AdmissionRefusedError } from './admission.js';

export interface MemoryGuardOptions {
  /** The cap, in bytes. */
  capBytes: number;
  /** Refuse new ingest from this share of the cap (default 0.85)… */
  highShare?: number;
  /** …until the RSS is back under this share (default 0.7). */
  lowShare?: number;
  /** How often the RSS is read (default 250 ms). */
  sampleMs?: number;
  /** The shortest time between two forced collections (default 1 s). */
  gcEveryMs?: number;
  /** For tests: the RSS read (default process.memoryUsage.rss) and the collector (default V8's, exposed at start; null: none). */
  read?: () => number;
  gc?: (() => void) | null;
  now?: () => number;
  /** Told when the guard starts or stops refusing. */
  onChange?: (refusing: boolean, rssBytes: number) => void;
}

const RETRY_AFTER_SECONDS = 2;

export class MemoryGuard {
  private refusing = false;
  private last = 0;
  private gcAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private readonly high: number;
  private readonly low: number;
  private readonly read: () => number;
  private readonly gc: (() => void) | null;
  private readonly now: () => number;
  /** Requests refused for memory, since start. */
  refusals = 0;
  /** Times the guard started refusing, since start. */
  trips = 0;

  constructor(private readonly opts: MemoryGuardOptions) {
    const high = opts.highShare ?? 0.85;
    const low = opts.lowShare ?? 0.7;
    if (!(low > 0 && low < high && high <= 1)) throw new Error('the memory guard needs 0 < lowShare < highShare <= 1');
    this.high = opts.capBytes * high;
    this.low = opts.capBytes * low;
    this.read = opts.read ?? (() => process.memoryUsage.rss());
    this.gc = opts.gc === undefined ? exposedGc() : opts.gc;
    this.now = opts.now ?? (() => performance.now());
    this.sample();
  }

  get capBytes(): number {
    return this.opts.capBytes;
  }

  /** The RSS at the latest sample, in bytes. */
  get rssBytes(): number {
    return this.last;
  }

  /** True while new ingest is refused. */
  get over(): boolean {
    return this.refusing;
  }

  /** Samples every sampleMs until stop() (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.opts.sampleMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the RSS and updates the state (collecting first when near or over the mark); true while refusing. */
  sample(): boolean {
    let rss = this.read();
    const threshold = this.refusing ? this.low : this.high;
    if (rss >= threshold && this.gc && this.now() - this.gcAt >= (this.opts.gcEveryMs ?? 1_000)) {
      this.gcAt = this.now();
      this.gc();
      rss = this.read();
    }
    this.last = rss;
    const next = this.refusing ? rss >= this.low : rss >= this.high;
    if (next !== this.refusing) {
      this.refusing = next;
      if (next) this.trips++;
      this.opts.onChange?.(next, rss);
    }
    return this.refusing;
  }

  /** The refusal for a new ingest request while over, else null (the admission gate). */
  refusal(): AdmissionRefusedError | null {
    if (!this.refusing) return null;
    this.refusals++;
    const mib = (n: number) => Math.round(n / 1048576);
    return new AdmissionRefusedError(
      `the receiver is near its memory cap (resident ${mib(this.last)} MiB of ORRERY_MAX_RSS_MB=${mib(this.opts.capBytes)}); retry later`,
      RETRY_AFTER_SECONDS,
    );
  }
}

let collector: (() => void) | null | undefined;

/** V8's full collection: global.gc when node runs with --expose-gc, else exposed now (once); null if V8 refuses. */
function exposedGc(): (() => void) | null {
  if (collector !== undefined) return collector;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') collector = existing;
  else {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      collector = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collector = null;
    }
  }
  return collector;
}
