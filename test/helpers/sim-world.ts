// A small system that really queues, simulated event by event, for the simulation's tests: Poisson
// arrivals at `web`, whose requests use web's CPU, then (for /checkout) `api`'s CPU, then a
// database call through api's connection pool; each stage a first-come-first-served station with
// c servers and exponential service, a pool's waiters giving up after its queue timeout. The
// spans are what OpenTelemetry would record (server and client spans, a database client span no
// server answers), so the waits sit inside the measured times just as in production.
import type { CpuGauge, SimSpan } from '../../src/analysis/simulate/index.js';
import type { InfraResource } from '../../src/model/index.js';
import { Random } from '../../src/analysis/simulate/index.js';

export interface QueueWorld {
  seed: number;
  startMs: number;
  durationMs: number;
  /** Requests per second to web /checkout (web → api → db) and to web /home (web only). */
  checkoutRate: number;
  homeRate: number;
  webServers: number;
  webMs: number;
  apiServers: number;
  apiMs: number;
  /** Time each api visit then waits on something untraced (a timer, local I/O), holding no CPU. */
  apiWaitMs?: number;
  /** Pool connections in all (replicas × pool size) and hold time per query. */
  poolServers: number;
  dbMs: number;
  /** A pool waiter gives up (the request fails) after this long; null: never. */
  poolTimeoutMs: number | null;
}

export const BASE_WORLD: QueueWorld = {
  seed: 7,
  startMs: Date.UTC(2026, 11, 7, 10, 0),
  durationMs: 10 * 60_000,
  checkoutRate: 8,
  homeRate: 4,
  webServers: 1,
  webMs: 4,
  apiServers: 1,
  apiMs: 50,
  poolServers: 2,
  dbMs: 80,
  poolTimeoutMs: null,
};

export interface WorldRun {
  spans: SimSpan[];
  /** Per route, the end-to-end durations (ms) and failures of the requests that began in the window. */
  measured: Map<string, { durations: number[]; failed: number }>;
  /** Busy share of each station over the run. */
  busy: { web: number; api: number; pool: number };
}

/** A station's servers' free times; take() serves one arrival first come, first served. */
class Station {
  private free: number[];
  busyMs = 0;
  constructor(servers: number) {
    this.free = new Array(servers).fill(Number.NEGATIVE_INFINITY);
  }
  /** The start of service, or null when the wait would pass `patienceMs` (the waiter leaves). */
  take(arrival: number, serviceMs: number, patienceMs: number | null): number | null {
    let at = 0;
    for (let i = 1; i < this.free.length; i++) if ((this.free[i] as number) < (this.free[at] as number)) at = i;
    const start = Math.max(arrival, this.free[at] as number);
    if (patienceMs !== null && start - arrival > patienceMs) return null;
    this.free[at] = start + serviceMs;
    this.busyMs += serviceMs;
    return start;
  }
}

/** Runs the world; stages are simulated in order of arrival at each station. */
export function runWorld(w: QueueWorld): WorldRun {
  const r = new Random(w.seed);
  interface Req {
    route: '/checkout' | '/home';
    t0: number;
    t1: number;
    t2: number;
    t3: number;
    failed: boolean;
  }
  const reqs: Req[] = [];
  const arrive = (rate: number, route: Req['route']) => {
    if (rate <= 0) return;
    for (let t = w.startMs + r.exp(1000 / rate); t < w.startMs + w.durationMs; t += r.exp(1000 / rate))
      reqs.push({ route, t0: t, t1: 0, t2: 0, t3: 0, failed: false });
  };
  arrive(w.checkoutRate, '/checkout');
  arrive(w.homeRate, '/home');
  const web = new Station(w.webServers);
  const api = new Station(w.apiServers);
  const pool = new Station(w.poolServers);
  reqs.sort((a, b) => a.t0 - b.t0);
  for (const q of reqs) {
    const s = r.exp(w.webMs);
    q.t1 = (web.take(q.t0, s, null) as number) + s;
  }
  const onApi = reqs.filter((q) => q.route === '/checkout').sort((a, b) => a.t1 - b.t1);
  for (const q of onApi) {
    const s = r.exp(w.apiMs);
    q.t2 = (api.take(q.t1, s, null) as number) + s + (w.apiWaitMs ?? 0);
  }
  onApi.sort((a, b) => a.t2 - b.t2);
  for (const q of onApi) {
    const s = r.exp(w.dbMs);
    const start = pool.take(q.t2, s, w.poolTimeoutMs);
    if (start === null) {
      q.failed = true;
      q.t3 = q.t2 + (w.poolTimeoutMs as number);
    } else q.t3 = start + s;
  }
  for (const q of reqs) if (q.route === '/home') q.t3 = q.t1;

  const spans: SimSpan[] = [];
  const measured = new Map<string, { durations: number[]; failed: number }>();
  let n = 0;
  const id = () => (++n).toString(16).padStart(16, '0');
  reqs.forEach((q, i) => {
    const traceId = i.toString(16).padStart(32, '0');
    const root = id();
    const base = { traceId, route: null, error: false };
    spans.push({
      ...base,
      spanId: root,
      parentId: null,
      service: 'web',
      name: `GET ${q.route}`,
      route: q.route,
      kind: 2,
      startMs: q.t0,
      endMs: q.t3,
      error: q.failed,
    });
    if (q.route === '/checkout') {
      const client = id();
      const server = id();
      spans.push({
        ...base,
        spanId: client,
        parentId: root,
        service: 'web',
        name: 'POST',
        kind: 3,
        startMs: q.t1,
        endMs: q.t3,
        error: q.failed,
      });
      spans.push({
        ...base,
        spanId: server,
        parentId: client,
        service: 'api',
        name: 'POST /orders',
        route: '/orders',
        kind: 2,
        startMs: q.t1,
        endMs: q.t3,
        error: q.failed,
      });
      spans.push({
        ...base,
        spanId: id(),
        parentId: server,
        service: 'api',
        name: 'INSERT orders',
        kind: 3,
        startMs: q.t2,
        endMs: q.t3,
        error: q.failed,
      });
    }
    const m = measured.get(q.route) ?? { durations: [], failed: 0 };
    m.durations.push(q.t3 - q.t0);
    if (q.failed) m.failed++;
    measured.set(q.route, m);
  });
  return {
    spans,
    measured,
    busy: {
      web: web.busyMs / (w.durationMs * w.webServers),
      api: api.busyMs / (w.durationMs * w.apiServers),
      pool: pool.busyMs / (w.durationMs * w.poolServers),
    },
  };
}

/** The q-quantile of `xs`. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] as number;
}

/** A stored Deployment for `service` (and optionally its HPA), as an infra import keeps it. */
export function deployment(
  service: string,
  opts: {
    replicas?: number | null;
    env?: Record<string, string>;
    cpuLimit?: number | null;
    cpuRequest?: number | null;
    hpa?: { min: number; max: number; cpu: number };
    importedAt?: string;
    id?: number;
  } = {},
): InfraResource[] {
  const importedAt = opts.importedAt ?? '2026-12-01T00:00:00.000Z';
  const rawRef = `deploy/k8s/${service}.yaml:1`;
  const limit = opts.cpuLimit ?? null;
  const request = opts.cpuRequest ?? null;
  const out: InfraResource[] = [
    {
      id: opts.id ?? 1,
      source: 'test',
      kind: 'Deployment',
      namespace: 'shop',
      name: service,
      service,
      link: { by: 'label', detail: `label app=${service}`, known: true },
      labels: { app: service },
      spec: {
        type: 'workload',
        replicas: opts.replicas === undefined ? 1 : opts.replicas,
        selector: { app: service },
        podLabels: { app: service },
        containers: [
          {
            name: service,
            image: null,
            requests: { cpuMillicores: request === null ? null : request * 1000, memoryBytes: null },
            limits: { cpuMillicores: limit === null ? null : limit * 1000, memoryBytes: null },
            env: opts.env ?? {},
          },
        ],
        perPod: {
          requests: { cpuMillicores: request === null ? null : request * 1000, memoryBytes: null },
          limits: { cpuMillicores: limit === null ? null : limit * 1000, memoryBytes: null },
        },
      },
      rawRef,
      importedAt,
    },
  ];
  if (opts.hpa)
    out.push({
      id: (opts.id ?? 1) + 1000,
      source: 'test',
      kind: 'HorizontalPodAutoscaler',
      namespace: 'shop',
      name: service,
      service,
      link: { by: 'hpa-target', detail: `scaleTargetRef Deployment/${service}`, known: true },
      labels: {},
      spec: {
        type: 'hpa',
        target: { kind: 'Deployment', name: service, apiVersion: 'apps/v1' },
        minReplicas: opts.hpa.min,
        maxReplicas: opts.hpa.max,
        metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: opts.hpa.cpu } }],
      },
      rawRef,
      importedAt,
    });
  return out;
}

/** The world's manifests: web and api one replica each, api's pool per replica. */
export function worldInfra(w: QueueWorld, env: Record<string, string> = {}): InfraResource[] {
  return [
    ...deployment('web', { replicas: w.webServers, id: 1 }),
    ...deployment('api', {
      replicas: w.apiServers,
      env: { DB_POOL_SIZE: String(w.poolServers / w.apiServers), ...env },
      id: 2,
    }),
  ];
}

/** The spans as OTLP/JSON export requests of at most `batch` spans, one resource per service (one instance each). */
export function otlpJsonBatches(
  spans: readonly SimSpan[],
  batch = 2000,
  /** The user and account a span carries (enduser.id, account.id), if any. */
  identity?: (s: SimSpan) => { user: string; account: string } | null,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < spans.length; i += batch) {
    const byService = new Map<string, SimSpan[]>();
    for (const s of spans.slice(i, i + batch)) {
      const list = byService.get(s.service) ?? [];
      list.push(s);
      byService.set(s.service, list);
    }
    const ns = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
    out.push(
      JSON.stringify({
        resourceSpans: [...byService].map(([service, list]) => ({
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: service } },
              { key: 'host.name', value: { stringValue: `${service}-0` } },
              { key: 'process.pid', value: { intValue: '1' } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'sim-world' },
              spans: list.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentId ? { parentSpanId: s.parentId } : {}),
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: ns(s.startMs),
                endTimeUnixNano: ns(s.endMs),
                attributes: [
                  ...(s.route ? [{ key: 'http.route', value: { stringValue: s.route } }] : []),
                  ...((who) =>
                    who
                      ? [
                          { key: 'enduser.id', value: { stringValue: who.user } },
                          { key: 'account.id', value: { stringValue: who.account } },
                        ]
                      : [])(identity?.(s) ?? null),
                ],
                status: { code: s.error ? 2 : 0 },
              })),
            },
          ],
        })),
      }),
    );
  }
  return out;
}

/** The world's Kubernetes manifests as `orrery infra import` reads them. */
export function worldManifests(
  w: QueueWorld,
  env: Record<string, string> = {},
): Array<{ path: string; content: string }> {
  const manifest = (service: string, replicas: number, vars: Record<string, string>) =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: { name: ${service}, namespace: shop, labels: { app: ${service} } }`,
      'spec:',
      `  replicas: ${replicas}`,
      `  selector: { matchLabels: { app: ${service} } }`,
      '  template:',
      `    metadata: { labels: { app: ${service} } }`,
      '    spec:',
      '      containers:',
      `        - name: ${service}`,
      `          image: registry.example/${service}`,
      ...(Object.keys(vars).length
        ? ['          env:', ...Object.entries(vars).map(([k, v]) => `            - { name: ${k}, value: "${v}" }`)]
        : []),
    ].join('\n');
  return [
    { path: 'k8s/web.yaml', content: manifest('web', w.webServers, {}) },
    {
      path: 'k8s/api.yaml',
      content: manifest('api', w.apiServers, { DB_POOL_SIZE: String(w.poolServers / w.apiServers), ...env }),
    },
  ];
}

/** The CPU gauges a container runtime would report for the run: each service's busy cores. */
export function worldGauges(w: QueueWorld, run: WorldRun): CpuGauge[] {
  return [
    { service: 'web', name: 'container.cpu.usage', value: run.busy.web * w.webServers, series: 1 },
    { service: 'api', name: 'container.cpu.usage', value: run.busy.api * w.apiServers, series: 1 },
  ];
}

/** The run's CPU gauges as an OTLP/JSON metrics export: each service's busy cores, once a minute. */
export function otlpJsonGauges(w: QueueWorld, run: WorldRun): string {
  return JSON.stringify({
    resourceMetrics: worldGauges(w, run).map((g) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: g.service } },
          { key: 'host.name', value: { stringValue: `${g.service}-0` } },
        ],
      },
      scopeMetrics: [
        {
          scope: { name: 'sim-world' },
          metrics: [
            {
              name: g.name,
              unit: '{cpu}',
              gauge: {
                dataPoints: Array.from({ length: Math.floor(w.durationMs / 60_000) }, (_, i) => ({
                  timeUnixNano: String(BigInt(w.startMs + i * 60_000 + 30_000) * 1_000_000n),
                  asDouble: g.value,
                })),
              },
            },
          ],
        },
      ],
    })),
  });
}
