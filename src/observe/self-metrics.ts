// Orrery's own telemetry (typed internal events, after Vector's internal_events): what
// each source received, accepted and rejected, requests refused by status, and store
// write latency. Rendered in the Prometheus text exposition format at /metrics.

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

function key(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

class Counter {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, n = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + n);
  }
  get(labels: Labels): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const [k, v] of this.values) out += `${this.name}{${k}} ${v}\n`;
    return out;
  }
}

class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {}
  observe(labels: Labels, v: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) s.buckets[i]!++;
    s.sum += v;
    s.count++;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      this.bounds.forEach((b, i) => {
        out += `${this.name}_bucket{${k}${sep}le="${b}"} ${s.buckets[i]}\n`;
      });
      out += `${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}\n`;
      out += `${this.name}_sum{${k}} ${s.sum}\n${this.name}_count{${k}} ${s.count}\n`;
    }
    return out;
  }
}

export class SelfMetrics {
  readonly received = new Counter('orrery_ingest_received_records_total', 'Records received, per source and signal.');
  readonly accepted = new Counter('orrery_ingest_accepted_records_total', 'Records committed to the store.');
  readonly rejected = new Counter(
    'orrery_ingest_rejected_records_total',
    'Records refused, per source, signal and reason.',
  );
  readonly refused = new Counter(
    'orrery_ingest_refused_requests_total',
    'Whole requests refused, per source and HTTP status.',
  );
  readonly storeWrite = new Histogram(
    'orrery_store_write_seconds',
    'Time to commit one write transaction.',
    LATENCY_BUCKETS,
  );
  readonly redacted = new Counter(
    'orrery_ingest_redacted_total',
    'Values redacted before storage, per signal and rule.',
  );
  readonly storeRecords = new Counter('orrery_store_written_records_total', 'Records written, per outcome.');
  readonly duplicates = new Counter(
    'orrery_ingest_duplicate_batches_total',
    'Batches a client sent again after they were committed (retries), answered as accepted and not stored twice.',
  );
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  private readonly families = new Map<string, { help: string; type: string; read: () => [Labels, number][] }>();

  recordReceived(source: string, signal: string, n: number): void {
    this.received.inc({ source, signal }, n);
  }
  recordAccepted(source: string, signal: string, n: number): void {
    this.accepted.inc({ source, signal }, n);
  }
  recordDuplicate(source: string, signal: string): void {
    this.duplicates.inc({ source, signal });
  }
  recordRejected(source: string, signal: string, reason: string, n: number): void {
    this.rejected.inc({ source, signal, reason }, n);
  }
  recordRedacted(signal: string, byRule: Record<string, number>): void {
    for (const [rule, n] of Object.entries(byRule)) if (n > 0) this.redacted.inc({ signal, rule }, n);
  }

  recordRefused(source: string, status: number): void {
    this.refused.inc({ source, status: String(status) });
  }
  recordStoreWrite(records: number, seconds: number, ok: boolean): void {
    this.storeWrite.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
    this.storeRecords.inc({ outcome: ok ? 'ok' : 'error' }, records);
  }
  /** A value read at scrape time, such as the ingest queue depth. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** A family of series read at scrape time: `read` returns each series' labels and value. */
  family(name: string, help: string, type: 'gauge' | 'counter', read: () => [Labels, number][]): void {
    this.families.set(name, { help, type, read });
  }

  render(): string {
    let out = '';
    for (const m of [
      this.received,
      this.accepted,
      this.rejected,
      this.refused,
      this.redacted,
      this.storeRecords,
      this.duplicates,
    ])
      out += m.render();
    out += this.storeWrite.render();
    for (const [name, g] of this.gauges) out += `# HELP ${name} ${g.help}\n# TYPE ${name} gauge\n${name} ${g.read()}\n`;
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
      for (const [labels, v] of f.read()) out += `${name}{${key(labels)}} ${v}\n`;
    }
    const mem = process.memoryUsage();
    out += `# HELP orrery_process_resident_memory_bytes Resident set size.\n# TYPE orrery_process_resident_memory_bytes gauge\norrery_process_resident_memory_bytes ${mem.rss}\n`;
    return out;
  }
}
