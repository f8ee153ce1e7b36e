// Log flow: within one span, which pattern's line follows which (the transitions between log
// statements, counted per minute of the earlier line). A fault that ends a code path early, or sends it another
// way, changes what follows a statement — `calculate distance` no longer followed by its
// second line — whatever the mix of requests does to the counts of each line. Bounded memory:
// the last line of at most `maxSpans` spans is remembered (the oldest forgotten first).

export interface FlowMinute {
  minuteMs: number;
  service: string;
  /** The pattern key of the earlier line. */
  from: string;
  /** The pattern key of the line that followed it in the same span. */
  to: string;
  count: number;
}

interface Last {
  key: string;
  timeMs: number;
}

interface Pending {
  span: string;
  service: string;
  timeMs: number;
  key: string;
  seq: number;
}

export const DEFAULT_MAX_FLOW_SPANS = 100_000;

function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

export class LogFlows {
  private readonly last = new Map<string, Last>();
  private pending: Pending[] = [];
  private rows = new Map<string, FlowMinute>();

  constructor(private readonly maxSpans = DEFAULT_MAX_FLOW_SPANS) {}

  /** One line of a span, in any order within a batch (see flush). */
  add(service: string, spanId: string, timeMs: number, key: string): void {
    // Ingest hot path: NUL-joined keys (one string per record), not TupleMap; decoding leaves no NUL in parts.
    this.pending.push({ span: `${service}\u0000${spanId}`, service, timeMs, key, seq: this.pending.length });
  }

  /**
   * Count the transitions of the lines added since the last call: each span's lines in time
   * order (arrival order for equal times), after the span's last line of earlier batches. A line
   * older than the span's last line seen (a late batch) starts no transition and ends none; a
   * line of the same pattern and time as the one before it is a duplicate delivery, skipped.
   */
  flush(): void {
    const lines = this.pending;
    this.pending = [];
    lines.sort((a, b) => (a.span < b.span ? -1 : a.span > b.span ? 1 : a.timeMs - b.timeMs || a.seq - b.seq));
    for (const l of lines) {
      const prev = this.last.get(l.span);
      if (prev !== undefined && l.timeMs < prev.timeMs) continue;
      // The same line delivered twice (an exporter's retry) is not a step of the path.
      if (prev !== undefined && l.timeMs === prev.timeMs && l.key === prev.key) continue;
      // Counted in the earlier line's minute: that line's count and what followed it then agree.
      if (prev !== undefined) this.count(l.service, prev.key, l.key, prev.timeMs);
      this.remember(l.span, { key: l.key, timeMs: l.timeMs });
    }
  }

  private remember(span: string, v: Last): void {
    this.last.delete(span);
    this.last.set(span, v);
    if (this.last.size > this.maxSpans) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
  }

  private count(service: string, from: string, to: string, timeMs: number): void {
    const minuteMs = minuteOf(timeMs);
    const k = `${minuteMs}\u0000${service}\u0000${from}\u0000${to}`;
    let row = this.rows.get(k);
    if (row === undefined) {
      row = { minuteMs, service, from, to, count: 0 };
      this.rows.set(k, row);
    }
    row.count++;
  }

  /** Rows waiting for the next drain. */
  get size(): number {
    return this.rows.size;
  }

  /**
   * The counted minutes, their keys resolved (patterns merge; `resolve` gives a key's current
   * id), rows that became the same summed; then start afresh.
   */
  drain(resolve: (service: string, key: string) => string): FlowMinute[] {
    const out = new Map<string, FlowMinute>();
    for (const r of this.rows.values()) {
      const from = resolve(r.service, r.from);
      const to = resolve(r.service, r.to);
      const k = `${r.minuteMs}\u0000${r.service}\u0000${from}\u0000${to}`;
      const o = out.get(k);
      if (o === undefined) out.set(k, { ...r, from, to });
      else o.count += r.count;
    }
    this.rows = new Map();
    return [...out.values()];
  }
}
