// A generated production world for `npm run bench -- investigate`, the same for a given seed,
// scale and end time: services with a call graph, endpoints, log templates, error types with
// stack traces and users; their telemetry as normalized records in short slices of event time;
// injected faults (a deploy, then errors or latency rising in one service); the git history
// behind it (written with `git fast-import`); and the support tickets that mention it.
// Everything here is plain data except buildRepository, which runs git.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng, seedOf } from '../../src/demo/index.js';
import type { Attributes, LogRecord, Scope, Span, TicketInput } from '../../src/model/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------
// Sizes

/** The world at scale 1 (the issue's numbers). */
export const FULL_WORLD = {
  services: 200,
  spans: 1_000_000,
  logs: 5_000_000,
  tickets: 10_000,
  commits: 20_000,
} as const;

export interface WorldOptions {
  seed: number;
  /** 0 < scale ≤ 1: spans, logs, tickets and commits scale linearly, services with √scale. */
  scale: number;
  /** The last instant of telemetry (a minute boundary is best). */
  endMs: number;
  /** Hours of telemetry before endMs; default 8, so a 2-hour incident has its full 6-hour baseline. */
  hours?: number;
}

export interface WorldTargets {
  services: number;
  spans: number;
  logs: number;
  tickets: number;
  commits: number;
}

export function worldTargets(scale: number): WorldTargets {
  if (!(scale > 0 && scale <= 1)) throw new Error(`scale must be in (0, 1], not ${scale}`);
  return {
    services: Math.max(12, Math.round(FULL_WORLD.services * Math.sqrt(scale))),
    spans: Math.max(1000, Math.round(FULL_WORLD.spans * scale)),
    logs: Math.max(5000, Math.round(FULL_WORLD.logs * scale)),
    tickets: Math.max(50, Math.round(FULL_WORLD.tickets * scale)),
    commits: Math.max(300, Math.round(FULL_WORLD.commits * scale)),
  };
}

// ---------------------------------------------------------------------------------------
// The plan: services, code, deploys, faults

export type Runtime = 'node' | 'python' | 'java' | 'go';

/** Values drawn per log line or error; everything else in a template is fixed per service. */
type Dyn = 'id' | 'uuid' | 'ms' | 'n' | 'user' | 'acct' | 'status' | 'ip' | 'hex' | 'bytes' | 'pct' | 'bool' | 'err';

/** Literal text and the values drawn for each line, in order. */
type Parts = ReadonlyArray<string | { d: Dyn }>;

export interface LogTemplate {
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  parts: Parts;
  weight: number;
  /** Where the log call is in the service's code. */
  file: number;
  fn: number;
}

export interface ErrorType {
  type: string;
  message: Parts;
  /** The stack trace with `\u0000` where the message goes (runtime-specific layout). */
  stack: string;
  file: number;
  fn: number;
}

export interface Endpoint {
  name: string;
  route: string | null;
  method: string;
  medianMs: number;
  weight: number;
}

export interface SourceFile {
  path: string;
  functions: string[];
}

export interface ServiceDef {
  index: number;
  name: string;
  tier: number;
  runtime: Runtime;
  /** Queue consumers serve messages (CONSUMER spans) instead of HTTP requests. */
  consumer: boolean;
  entity: string;
  table: string | null;
  calls: number[];
  endpoints: Endpoint[];
  templates: LogTemplate[];
  errorTemplates: LogTemplate[];
  errors: ErrorType[];
  upstreamError: ErrorType;
  baseErrorRate: number;
  /** Log lines per request, before the per-slice calibration. */
  chattiness: number;
  instances: number;
  files: SourceFile[];
}

export interface DeployPlan {
  service: number;
  version: string;
  atMs: number;
  /** Index into plan.commits of the commit it ships. */
  commit: number;
  baseline: boolean;
}

export interface CommitPlan {
  atMs: number;
  service: number;
  author: number;
  message: string;
  /** [file, function] pairs whose code changes. */
  changes: Array<[number, number]>;
}

export interface Fault {
  kind: 'errors' | 'latency';
  service: number;
  deploy: DeployPlan;
  onsetMs: number;
  /** For 'latency': the endpoint that slows down. */
  endpoint: number;
  /** For 'errors': the new exception and the log line that comes with it. */
  error: ErrorType | null;
  template: LogTemplate;
  errorRate: number;
  latencyFactor: number;
}

export interface Developer {
  name: string;
  email: string;
}

export interface WorldPlan {
  seed: number;
  scale: number;
  startMs: number;
  endMs: number;
  targets: WorldTargets;
  services: ServiceDef[];
  entries: number[];
  deploys: DeployPlan[];
  commits: CommitPlan[];
  developers: Developer[];
  faults: Fault[];
  users: number;
  accounts: number;
}

const DOMAINS: ReadonlyArray<readonly [string, string, string]> = [
  ['orders', 'order', 'orders'],
  ['checkout', 'checkout', 'checkouts'],
  ['cart', 'cart', 'carts'],
  ['payments', 'payment', 'payments'],
  ['billing', 'invoice', 'invoices'],
  ['ledger', 'entry', 'ledger_entries'],
  ['refunds', 'refund', 'refunds'],
  ['fraud', 'assessment', 'risk_assessments'],
  ['identity', 'identity', 'identities'],
  ['auth', 'token', 'tokens'],
  ['sessions', 'session', 'sessions'],
  ['profiles', 'profile', 'profiles'],
  ['accounts', 'account', 'accounts'],
  ['orgs', 'organization', 'organizations'],
  ['permissions', 'grant', 'grants'],
  ['catalog', 'product', 'products'],
  ['search', 'query', 'search_queries'],
  ['pricing', 'price', 'prices'],
  ['promotions', 'promotion', 'promotions'],
  ['coupons', 'coupon', 'coupons'],
  ['inventory', 'stock', 'stock_levels'],
  ['warehouse', 'bin', 'bins'],
  ['fulfillment', 'shipment', 'shipments'],
  ['shipping', 'label', 'labels'],
  ['tracking', 'parcel', 'parcels'],
  ['returns', 'return', 'returns'],
  ['reviews', 'review', 'reviews'],
  ['recommendations', 'suggestion', 'suggestions'],
  ['notifications', 'notification', 'notifications'],
  ['email', 'message', 'messages'],
  ['sms', 'text', 'texts'],
  ['push', 'device', 'devices'],
  ['webhooks', 'delivery', 'deliveries'],
  ['media', 'asset', 'assets'],
  ['images', 'image', 'images'],
  ['uploads', 'upload', 'uploads'],
  ['documents', 'document', 'documents'],
  ['reports', 'report', 'reports'],
  ['analytics', 'event', 'events'],
  ['audit', 'record', 'audit_records'],
  ['tax', 'rate', 'tax_rates'],
  ['currency', 'quote', 'fx_quotes'],
  ['subscriptions', 'subscription', 'subscriptions'],
  ['plans', 'plan', 'plans'],
  ['usage', 'meter', 'meters'],
  ['quotas', 'quota', 'quotas'],
  ['scheduler', 'job', 'jobs'],
  ['exports', 'export', 'exports'],
  ['imports', 'batch', 'import_batches'],
  ['geo', 'location', 'locations'],
  ['chat', 'conversation', 'conversations'],
  ['support', 'case', 'cases'],
  ['flags', 'flag', 'flags'],
  ['settings', 'setting', 'settings'],
  ['loyalty', 'reward', 'rewards'],
  ['giftcards', 'card', 'gift_cards'],
  ['wishlist', 'item', 'wishlist_items'],
  ['vendors', 'vendor', 'vendors'],
  ['contracts', 'contract', 'contracts'],
  ['payouts', 'payout', 'payouts'],
];
const ROLES = ['api', 'service', 'worker', 'store', 'sync', 'indexer', 'adapter', 'consumer'] as const;
const ENTRIES = ['web-bff', 'mobile-bff', 'public-api', 'partner-api', 'admin-web', 'webhook-gateway'] as const;
const ENTRY_WEIGHTS = [0.34, 0.26, 0.15, 0.1, 0.08, 0.07];
const FIELDS = [
  'currency',
  'amount',
  'quantity',
  'email',
  'address',
  'locale',
  'status',
  'sku',
  'region',
  'timezone',
  'discount',
  'owner',
];
const OPS = [
  'process',
  'validate',
  'sync',
  'price',
  'reserve',
  'settle',
  'publish',
  'reconcile',
  'render',
  'archive',
  'refresh',
  'import',
];
const RUNTIMES: ReadonlyArray<readonly [Runtime, number]> = [
  ['node', 0.45],
  ['java', 0.2],
  ['python', 0.2],
  ['go', 0.15],
];
const FIRST = [
  'Ana',
  'Ben',
  'Chen',
  'Dara',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
  'Uma',
  'Vik',
  'Wen',
  'Yara',
];
const LAST = [
  'Abara',
  'Berg',
  'Costa',
  'Dube',
  'Eriksen',
  'Fujita',
  'Garcia',
  'Haddad',
  'Iyer',
  'Jansen',
  'Kim',
  'Larsen',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
  'Quist',
  'Rossi',
  'Silva',
  'Tanaka',
];

/**
 * Template shapes: `{E}` entity, `{Es}` its plural, `{T}` table, `{C}` a callee, `{Q}` a queue,
 * `{F}` a field, `{OP}` an operation are fixed per service; `<x>` is drawn per line.
 */
const SHAPES: ReadonlyArray<readonly [LogTemplate['level'], string]> = [
  ['INFO', '{E} <id> loaded in <ms>ms'],
  ['INFO', 'created {E} <uuid> for <user>'],
  ['INFO', 'updated {E} <id> fields=[{F}] by <user>'],
  ['INFO', 'request to {C} completed status=<status> in <ms>ms'],
  ['INFO', 'published {Q} event id=<uuid> partition=<n>'],
  ['INFO', 'consumed <n> messages from {Q} lag=<n>'],
  ['INFO', '{OP} {E} <id> ok'],
  ['INFO', 'cache hit for {E}:<id>'],
  ['INFO', 'cache miss for {E}:<id>, loading from {T}'],
  ['INFO', 'user <user> opened {E} <id>'],
  ['INFO', 'account <acct> has <n> active {Es}'],
  ['INFO', 'batch of <n> {Es} processed in <ms>ms'],
  ['INFO', 'scheduled {OP} for {E} <id> in <n>s'],
  ['INFO', 'webhook delivered to <ip> status=<status>'],
  ['INFO', 'connection pool stats: active=<n> idle=<n> waiting=<n>'],
  ['INFO', '{E} <id> moved from pending to active'],
  ['INFO', 'sent {E} summary to <user> (<bytes> bytes)'],
  ['INFO', 'loaded settings revision <n>'],
  ['INFO', 'health check passed in <ms>ms'],
  ['INFO', 'session <hex> refreshed for <user>'],
  ['INFO', 'flag {F}_v2 evaluated to <bool> for <acct>'],
  ['INFO', 'indexed <n> {Es} into {T}_idx in <ms>ms'],
  ['INFO', 'checkpoint saved offset=<n> for {Q}'],
  ['DEBUG', 'SELECT * FROM {T} WHERE id = $1 took <ms>ms'],
  ['DEBUG', 'payload size <bytes> bytes for {E} <id>'],
  ['DEBUG', 'retry policy: attempt=<n> backoff=<ms>ms'],
  ['DEBUG', 'context propagated to {C} trace=<hex>'],
  ['DEBUG', 'parsed <n> {F} values for {E} <id>'],
  ['DEBUG', 'lock acquired on {T}:<id> after <ms>ms'],
  ['DEBUG', 'dedup key <hex> already seen, skipping'],
  ['DEBUG', 'serialized {E} <id> in <ms>ms'],
  ['WARN', 'slow query on {T} took <ms>ms rows=<n>'],
  ['WARN', 'retrying {OP} {E} <id> attempt <n>/5 after <ms>ms'],
  ['WARN', '{C} responded slowly: <ms>ms (budget 250ms)'],
  ['WARN', 'rate limit close for <acct>: <pct>% of quota used'],
  ['WARN', 'stale {E} <id> in cache, age <n>s'],
  ['WARN', 'deprecated field {F} used by <acct>'],
  ['WARN', 'queue {Q} depth <n> above threshold'],
  ['WARN', 'circuit half-open for {C} after <n> failures'],
];
const ERROR_SHAPES = [
  'failed to {OP} {E} <id>: <err>',
  'call to {C} failed status=<status>: <err>',
  'transaction rolled back for {E} <id>: <err>',
  'could not persist {E} <id> to {T}: <err>',
  'unhandled error while handling {E} <id>: <err>',
];

const ERROR_POOL: Record<Runtime, ReadonlyArray<readonly [string, string]>> = {
  node: [
    ['TypeError', "Cannot read properties of undefined (reading '{F}')"],
    ['RangeError', 'Invalid time value'],
    ['Error', '{E} <id> not found'],
    ['TimeoutError', 'operation timed out after <ms>ms'],
    ['ValidationError', '{F} must be a positive number'],
    ['SequelizeUniqueConstraintError', 'duplicate key value violates unique constraint "{T}_pkey"'],
  ],
  python: [
    ['KeyError', "'{F}'"],
    ['ValueError', "invalid literal for int() with base 10: '<hex>'"],
    ['AttributeError', "'NoneType' object has no attribute '{F}'"],
    ['sqlalchemy.exc.OperationalError', '(psycopg2.OperationalError) server closed the connection unexpectedly'],
    ['TimeoutError', 'timed out after <ms> ms waiting for {T}'],
  ],
  java: [
    ['java.lang.NullPointerException', 'Cannot invoke "String.length()" because "{F}" is null'],
    ['java.lang.IllegalStateException', '{E} <id> already processed'],
    ['java.util.concurrent.TimeoutException', 'Timeout waiting for {T} after <ms> ms'],
    [
      'org.springframework.dao.DataIntegrityViolationException',
      'could not execute statement; constraint [{T}_{F}_key]',
    ],
    ['java.lang.NumberFormatException', 'For input string: "<hex>"'],
  ],
  go: [
    ['runtime.Error', 'runtime error: invalid memory address or nil pointer dereference'],
    ['runtime.boundsError', 'runtime error: index out of range [<n>] with length <n>'],
    ['*pq.Error', 'pq: duplicate key value violates unique constraint "{T}_pkey"'],
    ['*errors.errorString', '{E} <id>: context deadline exceeded'],
  ],
};
const UPSTREAM_ERROR: Record<Runtime, readonly [string, string]> = {
  node: ['UpstreamError', '{C} responded 503 Service Unavailable'],
  python: ['requests.exceptions.HTTPError', '503 Server Error: Service Unavailable for url: http://{C}/'],
  java: ['org.springframework.web.client.HttpServerErrorException', '503 Service Unavailable from {C}'],
  go: ['*url.Error', 'Post "http://{C}/": upstream returned 503'],
};

/** Lines per generated function: every function has the same height, so frames keep their lines. */
const FN_LINES = 8;
const HEADER_LINES = 6;

function parse(text: string, words: Record<string, string>): Parts {
  const out: Array<string | { d: Dyn }> = [];
  const re = /\{(\w+)\}|<(\w+)>/g;
  let at = 0;
  let lit = '';
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    lit += text.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[1] !== undefined) {
      const w = words[m[1]];
      if (w === undefined) throw new Error(`template word {${m[1]}} has no value`);
      lit += w;
    } else {
      if (lit) out.push(lit);
      lit = '';
      out.push({ d: m[2] as Dyn });
    }
  }
  lit += text.slice(at);
  if (lit) out.push(lit);
  return out;
}

function plural(word: string): string {
  if (word.endsWith('y') && !/[aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

function camel(...words: string[]): string {
  return words
    .flatMap((w) => w.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
}

function snake(...words: string[]): string {
  return words
    .flatMap((w) => w.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .join('_');
}

function pascal(...words: string[]): string {
  const c = camel(...words);
  return c[0]!.toUpperCase() + c.slice(1);
}

function fnName(runtime: Runtime, ...words: string[]): string {
  return runtime === 'python' ? snake(...words) : runtime === 'go' ? pascal(...words) : camel(...words);
}

const FILE_NAMES = ['handlers', 'service', 'repository', 'client'] as const;

function sourcePath(service: string, runtime: Runtime, file: number): string {
  const base = FILE_NAMES[file]!;
  switch (runtime) {
    case 'node':
      return `services/${service}/src/${base}.ts`;
    case 'python':
      return `services/${service}/app/${base}.py`;
    case 'java':
      return `services/${service}/src/main/java/com/acme/${snake(service).replace(/_/g, '')}/${pascal(base)}.java`;
    case 'go':
      return `services/${service}/internal/${base}.go`;
  }
}

/** The path a running process reports in its stack frames. */
function runtimePath(s: ServiceDef, file: number): string {
  const p = s.files[file]!.path;
  return s.runtime === 'java' ? p : `/app/${p.split('/').slice(2).join('/')}`;
}

function fnLine(fn: number): number {
  return HEADER_LINES + fn * FN_LINES + 3;
}

/** A stack trace for an error raised in `fn` of `file`, called from the first handler. */
function stackOf(s: ServiceDef, type: string, file: number, fn: number, r: Prng): string {
  const f = s.files[file]!;
  const h = s.files[0]!;
  const name = f.functions[fn]!;
  const handler = h.functions[r.int(0, h.functions.length - 1)]!;
  const hLine = fnLine(h.functions.indexOf(handler));
  const line = fnLine(fn);
  switch (s.runtime) {
    case 'node':
      return (
        `${type}: \u0000\n    at ${name} (${runtimePath(s, file)}:${line}:${r.int(9, 40)})\n` +
        `    at ${handler} (${runtimePath(s, 0)}:${hLine}:${r.int(9, 40)})\n` +
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n' +
        `    at async Object.dispatch (/app/node_modules/fastify/lib/route.js:${r.int(400, 600)}:9)`
      );
    case 'python':
      return (
        'Traceback (most recent call last):\n' +
        `  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request\n    rv = self.dispatch_request()\n` +
        `  File "${runtimePath(s, 0)}", line ${hLine}, in ${handler}\n    result = ${name}(ctx, payload)\n` +
        `  File "${runtimePath(s, file)}", line ${line}, in ${name}\n    value = record["${s.entity}"]\n` +
        `${type}: \u0000`
      );
    case 'java': {
      const pkg = `com.acme.${snake(s.name).replace(/_/g, '')}`;
      const cls = pascal(FILE_NAMES[file]!);
      return (
        `${type}: \u0000\n\tat ${pkg}.${cls}.${name}(${cls}.java:${line})\n` +
        `\tat ${pkg}.Handlers.${handler}(Handlers.java:${hLine})\n` +
        '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)\n' +
        '\tat java.base/java.lang.Thread.run(Thread.java:1583)'
      );
    }
    case 'go':
      return (
        `panic: \u0000\n\ngoroutine ${r.int(20, 900)} [running]:\n` +
        `github.com/acme/${s.name}/internal.${name}(0xc000${r.int(100000, 999999)})\n\t${runtimePath(s, file)}:${line} +0x${r.int(16, 999).toString(16)}\n` +
        `github.com/acme/${s.name}/internal.${handler}(0xc000${r.int(100000, 999999)})\n\t${runtimePath(s, 0)}:${hLine} +0x${r.int(16, 999).toString(16)}\n` +
        'net/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2166 +0x29'
      );
  }
}

function pickRuntime(r: Prng): Runtime {
  return r.weighted(RUNTIMES, ([, w]) => w)[0];
}

interface Naming {
  name: string;
  domain: readonly [string, string, string];
  role: string;
}

function nameServices(r: Prng, count: number): Naming[] {
  const entries = Math.max(2, Math.round((ENTRIES.length * count) / FULL_WORLD.services));
  const out: Naming[] = ENTRIES.slice(0, entries).map((name) => ({
    name,
    domain: ['gateway', 'request', ''] as const,
    role: 'bff',
  }));
  const combos = r.shuffle(DOMAINS.flatMap((d) => ROLES.map((role) => ({ name: `${d[0]}-${role}`, domain: d, role }))));
  // Prefer one service per domain first, so a small world still has many domains.
  const seen = new Set<string>();
  const first = combos.filter((c) => !seen.has(c.domain[0]) && seen.add(c.domain[0]));
  const rest = combos.filter((c) => !first.includes(c));
  out.push(...[...first, ...rest].slice(0, count - entries));
  return out;
}

function planService(r: Prng, index: number, naming: Naming, tier: number): ServiceDef {
  const runtime = pickRuntime(r);
  const consumer = naming.role === 'consumer' || naming.role === 'worker';
  const [domain, entity, table] = naming.domain;
  const hasTable =
    table !== '' && (naming.role === 'store' || naming.role === 'service' || naming.role === 'api' || r.chance(0.4));
  const endpoints: Endpoint[] = [];
  const nEndpoints = tier === 0 ? r.int(5, 8) : r.int(2, 6);
  const plural_ = plural(entity);
  const routes = r.shuffle([
    ['GET', `/v1/${plural_}/:id`],
    ['POST', `/v1/${plural_}`],
    ['GET', `/v1/${plural_}`],
    ['PUT', `/v1/${plural_}/:id`],
    ['DELETE', `/v1/${plural_}/:id`],
    ['POST', `/v1/${plural_}/:id/${r.pick(OPS)}`],
    ['GET', `/v1/${plural_}/:id/history`],
    ['POST', `/v1/${plural_}/search`],
  ] as const);
  for (let i = 0; i < nEndpoints; i++) {
    const medianMs = Math.round(r.float(3, tier === 0 ? 30 : 60));
    const weight = 1 / (i + 1);
    if (consumer) {
      const topic = `${domain}.${['created', 'updated', 'events', 'jobs', 'retries', 'deadletter', 'audit', 'sync'][i % 8]}`;
      endpoints.push({ name: `${topic} process`, route: null, method: '', medianMs, weight });
    } else if (tier === 0) {
      const d = DOMAINS[r.int(0, DOMAINS.length - 1)]!;
      const [method, path] = r.pick([
        ['GET', `/api/${d[0]}/:id`],
        ['POST', `/api/${d[0]}`],
        ['GET', `/api/${d[0]}`],
        ['PATCH', `/api/${d[0]}/:id`],
      ] as const);
      const route = `${path.replace(':id', `:${camel(d[1], 'id')}`)}`;
      if (endpoints.some((e) => e.route === route && e.method === method)) continue;
      endpoints.push({ name: `${method} ${route}`, route, method, medianMs, weight });
    } else {
      const [method, route] = routes[i % routes.length]!;
      endpoints.push({ name: `${method} ${route}`, route, method, medianMs, weight });
    }
  }
  const s: ServiceDef = {
    index,
    name: naming.name,
    tier,
    runtime,
    consumer,
    entity,
    table: hasTable ? table : null,
    calls: [],
    endpoints,
    templates: [],
    errorTemplates: [],
    errors: [],
    upstreamError: { type: '', message: [], stack: '', file: 0, fn: 0 },
    baseErrorRate: r.float(0.001, 0.01),
    chattiness: Math.exp(r.float(Math.log(0.4), Math.log(2.5))),
    instances: r.int(2, tier === 0 ? 6 : 4),
    files: [],
  };
  const ops = r.sample(OPS, r.int(3, 6));
  const fn = (...w: string[]) => fnName(runtime, ...w);
  s.files = [
    {
      path: sourcePath(s.name, runtime, 0),
      functions: endpoints.map((e, i) =>
        fn('handle', e.method ? e.method.toLowerCase() : 'message', entity, String(i)),
      ),
    },
    { path: sourcePath(s.name, runtime, 1), functions: ops.map((op) => fn(op, entity)) },
    { path: sourcePath(s.name, runtime, 2), functions: ['load', 'save', 'query', 'lock'].map((v) => fn(v, entity)) },
    { path: sourcePath(s.name, runtime, 3), functions: ['call', 'retry', 'publish'].map((v) => fn(v, 'upstream')) },
  ];
  return s;
}

/** Fills in the parts that need the call graph: templates naming callees, error types. */
function planServiceText(r: Prng, s: ServiceDef, services: ServiceDef[]): void {
  const callee = s.calls.length ? services[r.pick(s.calls)]!.name : s.table ? 'postgres' : 'redis';
  const words = {
    E: s.entity,
    Es: plural(s.entity),
    T: s.table ?? `${snake(s.entity)}_cache`,
    C: callee,
    Q: `${s.name.split('-')[0]}.${r.pick(['created', 'updated', 'events', 'jobs'])}`,
    F: r.pick(FIELDS),
    OP: r.pick(OPS),
  };
  const n = r.int(10, 30);
  const shapes = r.sample(SHAPES, n);
  // Keep a couple of warnings in every service.
  const warns = SHAPES.filter(([l]) => l === 'WARN');
  if (!shapes.some(([l]) => l === 'WARN')) shapes[0] = r.pick(warns);
  let rank = 0;
  for (const [level, text] of shapes) {
    const file = r.int(0, s.files.length - 1);
    const weight = level === 'WARN' ? 0.01 : 1 / (++rank) ** 1.1;
    s.templates.push({
      level,
      parts: parse(text, { ...words, F: r.pick(FIELDS) }),
      weight,
      file,
      fn: r.int(0, s.files[file]!.functions.length - 1),
    });
  }
  const errorShapes = r.sample(ERROR_SHAPES, 2);
  for (const text of errorShapes) {
    const file = r.int(0, s.files.length - 1);
    s.errorTemplates.push({
      level: 'ERROR',
      parts: parse(text, words),
      weight: 1,
      file,
      fn: r.int(0, s.files[file]!.functions.length - 1),
    });
  }
  for (const [type, message] of r.sample(ERROR_POOL[s.runtime], r.int(2, 4))) {
    const file = r.pick([1, 1, 2, 3]);
    const fn = r.int(0, s.files[file]!.functions.length - 1);
    s.errors.push({
      type,
      message: parse(message, { ...words, F: r.pick(FIELDS) }),
      stack: stackOf(s, type, file, fn, r),
      file,
      fn,
    });
  }
  const [utype, umessage] = UPSTREAM_ERROR[s.runtime];
  s.upstreamError = { type: utype, message: parse(umessage, words), stack: stackOf(s, utype, 3, 0, r), file: 3, fn: 0 };
}

/** Tiers as shares of the non-entry services; each tier calls only deeper ones. */
const TIER_SHARES = [0.15, 0.3, 0.32, 0.23];
const CALLS_PER_TIER: ReadonlyArray<readonly [number, number]> = [
  [3, 5],
  [2, 4],
  [1, 3],
  [0, 2],
  [0, 0],
];

function wireCalls(r: Prng, services: ServiceDef[]): void {
  const byTier = new Map<number, ServiceDef[]>();
  for (const s of services) byTier.set(s.tier, [...(byTier.get(s.tier) ?? []), s]);
  const deeper = (t: number) => services.filter((s) => s.tier > t && s.tier <= t + 2);
  for (const s of services) {
    const pool = deeper(s.tier);
    if (pool.length === 0) continue;
    const [lo, hi] = CALLS_PER_TIER[s.tier] ?? [0, 0];
    s.calls = r.sample(pool, r.int(lo, hi)).map((c) => c.index);
  }
  // Every service below the entries has at least one caller.
  const called = new Set(services.flatMap((s) => s.calls));
  for (const s of services) {
    if (s.tier === 0 || called.has(s.index)) continue;
    const callers = byTier.get(s.tier - 1) ?? byTier.get(0)!;
    const caller = r.pick(callers);
    caller.calls.push(s.index);
    called.add(s.index);
  }
}

function semver(r: Prng): [number, number, number] {
  return [r.int(1, 4), r.int(0, 30), r.int(0, 9)];
}

/** The deterministic plan of a world: everything but the records themselves. */
export function planWorld(opts: WorldOptions): WorldPlan {
  const targets = worldTargets(opts.scale);
  const r = new Prng(seedOf('world', opts.seed));
  const endMs = opts.endMs;
  const startMs = endMs - (opts.hours ?? 8) * HOUR;
  const naming = nameServices(r.fork('names'), targets.services);
  const nEntries = naming.filter((n) => n.role === 'bff').length;
  const rest = targets.services - nEntries;
  const tierOf = (i: number): number => {
    if (i < nEntries) return 0;
    let acc = 0;
    for (let t = 0; t < TIER_SHARES.length; t++) {
      acc += TIER_SHARES[t]! * rest;
      if (i - nEntries < acc) return t + 1;
    }
    return TIER_SHARES.length;
  };
  const sr = r.fork('services');
  const services = naming.map((n, i) => planService(sr, i, n, tierOf(i)));
  wireCalls(r.fork('calls'), services);
  const tr = r.fork('text');
  for (const s of services) planServiceText(tr, s, services);

  const developers: Developer[] = [];
  const dr = r.fork('developers');
  const nDevs = Math.max(10, Math.round(targets.services * 0.6));
  for (let i = 0; i < nDevs; i++) {
    const first = dr.pick(FIRST);
    const last = dr.pick(LAST);
    developers.push({ name: `${first} ${last}`, email: `${first}.${last}${i}@acme.dev`.toLowerCase() });
  }

  // Deploys: every service's running version from before the window, some deploys inside it.
  const pr = r.fork('deploys');
  const deploys: DeployPlan[] = [];
  const versions = services.map(() => semver(pr));
  const bump = (i: number): string => {
    const v = versions[i]!;
    if (pr.chance(0.2)) v[1] = (v[1] ?? 0) + 1;
    else v[2] = (v[2] ?? 0) + 1;
    return v.join('.');
  };
  for (const s of services)
    deploys.push({
      service: s.index,
      version: versions[s.index]!.join('.'),
      atMs: startMs - pr.float(0.2, 20) * DAY,
      commit: -1,
      baseline: true,
    });

  // Faults: a mid-tier service starts failing after a deploy 47 minutes before the end; a
  // deeper data service slows down on one endpoint after a deploy 110 minutes before the end.
  const fr = r.fork('faults');
  const midTier = services.filter((s) => s.tier === 2 && !s.consumer);
  const deepTier = services.filter((s) => s.tier >= 3 && s.table !== null && !s.consumer);
  const errorsService = fr.pick(midTier.length ? midTier : services.filter((s) => s.tier > 0));
  const latencyService = fr.pick(
    (deepTier.length ? deepTier : services.filter((s) => s.tier > 0)).filter((s) => s !== errorsService),
  );
  const faults: Fault[] = [];
  {
    const s = errorsService;
    const deploy: DeployPlan = {
      service: s.index,
      version: bump(s.index),
      atMs: endMs - 47 * MINUTE,
      commit: -1,
      baseline: false,
    };
    const fn = fr.int(0, s.files[1]!.functions.length - 1);
    const field = fr.pick(['currency', 'amount', 'discount']);
    const type =
      s.runtime === 'node'
        ? 'TypeError'
        : s.runtime === 'python'
          ? 'KeyError'
          : s.runtime === 'java'
            ? 'java.lang.NullPointerException'
            : 'runtime.Error';
    const message =
      s.runtime === 'node'
        ? `Cannot read properties of undefined (reading '${field}')`
        : s.runtime === 'python'
          ? `'${field}'`
          : s.runtime === 'java'
            ? `Cannot invoke "java.math.BigDecimal.scale()" because "${field}" is null`
            : 'runtime error: invalid memory address or nil pointer dereference';
    const error: ErrorType = { type, message: [message], stack: stackOf(s, type, 1, fn, fr), file: 1, fn };
    const template: LogTemplate = {
      level: 'ERROR',
      parts: parse(`failed to ${s.files[1]!.functions[fn]} for {E} <id>: missing ${field} on <user>`, { E: s.entity }),
      weight: 1,
      file: 1,
      fn,
    };
    deploys.push(deploy);
    faults.push({
      kind: 'errors',
      service: s.index,
      deploy,
      onsetMs: deploy.atMs + 2 * MINUTE,
      endpoint: 0,
      error,
      template,
      errorRate: 0.3,
      latencyFactor: 1.3,
    });
  }
  {
    const s = latencyService;
    const deploy: DeployPlan = {
      service: s.index,
      version: bump(s.index),
      atMs: endMs - 110 * MINUTE,
      commit: -1,
      baseline: false,
    };
    const template: LogTemplate = {
      level: 'WARN',
      parts: parse('connection pool exhausted for {T}: waited <ms>ms for a connection', { T: s.table ?? 'cache' }),
      weight: 1,
      file: 2,
      fn: 3,
    };
    deploys.push(deploy);
    faults.push({
      kind: 'latency',
      service: s.index,
      deploy,
      onsetMs: deploy.atMs + 3 * MINUTE,
      endpoint: 0,
      error: null,
      template,
      errorRate: 0,
      latencyFactor: 6,
    });
  }
  // Ordinary deploys inside the window, away from the faults.
  const faulty = new Set(faults.map((f) => f.service));
  const nDeploys = Math.max(3, Math.round(services.length * 0.25));
  for (let i = 0; i < nDeploys; i++) {
    const s = pr.pick(services.filter((x) => !faulty.has(x.index)));
    const atMs = startMs + pr.float(0.05, 0.97) * (endMs - startMs);
    deploys.push({ service: s.index, version: '', atMs, commit: -1, baseline: false });
  }
  deploys.sort((a, b) => a.atMs - b.atMs);
  for (const d of deploys) if (d.version === '') d.version = bump(d.service);

  const commits = planCommits(r.fork('commits'), {
    services,
    deploys,
    faults,
    developers,
    endMs,
    count: targets.commits,
  });
  return {
    seed: opts.seed,
    scale: opts.scale,
    startMs,
    endMs,
    targets,
    services,
    entries: services.filter((s) => s.tier === 0).map((s) => s.index),
    deploys,
    commits,
    developers,
    faults,
    users: Math.round(2000 + 18000 * opts.scale),
    accounts: Math.round((2000 + 18000 * opts.scale) / 8),
  };
}

const VERBS = ['fix', 'handle', 'refactor', 'speed up', 'log', 'validate', 'retry', 'clean up', 'cache', 'guard'];

function planCommits(
  r: Prng,
  w: {
    services: ServiceDef[];
    deploys: DeployPlan[];
    faults: Fault[];
    developers: Developer[];
    endMs: number;
    count: number;
  },
): CommitPlan[] {
  const { services, developers } = w;
  // Each developer works mostly on a few services.
  const home = developers.map(() => r.sample(services, 3).map((s) => s.index));
  const authorOf = (service: number) => {
    const locals = developers.map((_, i) => i).filter((i) => home[i]!.includes(service));
    return locals.length && r.chance(0.8) ? r.pick(locals) : r.int(0, developers.length - 1);
  };
  const change = (s: ServiceDef): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let k = r.int(1, 3); k > 0; k--) {
      const file = r.int(0, s.files.length - 1);
      out.push([file, r.int(0, s.files[file]!.functions.length - 1)]);
    }
    return out;
  };
  const message = (s: ServiceDef, changes: Array<[number, number]>) => {
    const [file, fn] = changes[0]!;
    return `${s.name}: ${r.pick(VERBS)} ${s.files[file]!.functions[fn]}`;
  };
  const horizon = 180 * DAY;
  const planned: Array<CommitPlan & { deploy?: DeployPlan }> = [];
  for (const d of w.deploys) {
    const s = services[d.service]!;
    const fault = w.faults.find((f) => f.deploy === d);
    const atMs = d.atMs - (d.baseline ? r.float(0.5, 24) * HOUR : r.float(10, 90) * MINUTE);
    const changes: Array<[number, number]> = fault
      ? [fault.error ? [fault.error.file, fault.error.fn] : [fault.template.file, fault.template.fn]]
      : change(s);
    const msg = fault
      ? `${s.name}: ${fault.kind === 'errors' ? `read ${s.entity} totals in ${s.files[changes[0]![0]]!.functions[changes[0]![1]]} without the legacy fallback` : `lower the ${s.table ?? 'cache'} pool size and add a lock in ${s.files[2]!.functions[3]}`}`
      : message(s, changes);
    planned.push({ atMs, service: s.index, author: authorOf(s.index), message: msg, changes, deploy: d });
  }
  const others = Math.max(0, w.count - 1 - planned.length);
  for (let i = 0; i < others; i++) {
    const s = r.pick(services);
    const changes = change(s);
    planned.push({
      atMs: w.endMs - r.float(2 * MINUTE, horizon),
      service: s.index,
      author: authorOf(s.index),
      message: message(s, changes),
      changes,
    });
  }
  planned.sort((a, b) => a.atMs - b.atMs);
  const initial: CommitPlan = {
    atMs: Math.min(planned[0]?.atMs ?? w.endMs, w.endMs - horizon) - DAY,
    service: -1,
    author: 0,
    message: 'Initial import of the services monorepo',
    changes: [],
  };
  const commits: CommitPlan[] = [initial];
  for (const p of planned) {
    const { deploy, ...c } = p;
    if (deploy) deploy.commit = commits.length;
    commits.push(c);
  }
  return commits;
}

// ---------------------------------------------------------------------------------------
// Telemetry

/** One slice of event time: its records, and the deploys that happened before it ends. */
export interface Slice {
  index: number;
  startMs: number;
  endMs: number;
  spans: Span[];
  logs: LogRecord[];
  deploys: DeployPlan[];
}

/** An error a user saw, remembered for the tickets that will complain about it. */
export interface Sighting {
  service: number;
  atMs: number;
  user: string;
  account: string;
  traceId: string;
  route: string;
  type: string;
  message: string;
  fault: number | null;
}

const SEVERITY: Record<LogTemplate['level'], number> = { DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17 };
const LANGUAGE: Record<Runtime, string> = { node: 'nodejs', python: 'python', java: 'java', go: 'go' };
const HEX = '0123456789abcdef';
/** Spans a trace may have at most (deep fan-out is cut here). */
const MAX_TRACE_SPANS = 120;
const SIGHTINGS_KEPT = 4000;
const FAULT_SIGHTINGS_KEPT = 300;

function hex32(x: number): string {
  let s = '';
  for (let i = 28; i >= 0; i -= 4) s += HEX[(x >>> i) & 15];
  return s;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The world's telemetry, slice by slice in event-time order. Span and log totals follow the
 * plan's targets (a daily-like curve with noise spreads them over the slices); traces start
 * at an entry service and fan out along the call graph; every server span writes log lines
 * from its service's templates; faults change error rates, exceptions, latency and logs from
 * their onset, and their callers fail with upstream errors.
 */
export class TelemetryGenerator {
  readonly sliceMs: number;
  readonly slices: number;
  private readonly ordinary: Sighting[] = [];
  private readonly faultSightings: Array<Sighting[] | undefined> = [];
  spans = 0;
  logs = 0;
  private seen = 0;
  private readonly r: Prng;
  private readonly resources = new Map<string, Attributes>();
  private readonly scopes: Scope[];
  private readonly spanTarget: Float64Array;
  private readonly logTarget: Float64Array;
  private readonly version: string[];
  private nextDeploy = 0;
  private ids: number;
  private readonly tracePrefix: string;
  private readonly entryWeights: number[];
  private readonly cumulative: Array<Float64Array | undefined> = [];
  private readonly faultSeen: number[] = [];

  constructor(
    readonly plan: WorldPlan,
    opts: { sliceMs?: number } = {},
  ) {
    this.sliceMs = opts.sliceMs ?? 5000;
    this.slices = Math.ceil((plan.endMs - plan.startMs) / this.sliceMs);
    this.r = new Prng(seedOf('telemetry', plan.seed));
    this.ids = mix(plan.seed) | 1;
    this.tracePrefix = hex32(mix(plan.seed ^ 0x5bd1e995)) + hex32(mix(plan.seed ^ 0x1b873593));
    this.scopes = plan.services.map((s) => ({
      name:
        s.runtime === 'java'
          ? 'io.opentelemetry.spring-webmvc-6.0'
          : s.runtime === 'python'
            ? 'opentelemetry.instrumentation.flask'
            : s.runtime === 'go'
              ? 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp'
              : '@opentelemetry/instrumentation-http',
      version: '0.52.0',
      attributes: {},
    }));
    // Baseline deploys (before the window) set the running versions.
    this.version = plan.services.map(() => '');
    while (this.nextDeploy < plan.deploys.length && plan.deploys[this.nextDeploy]!.atMs <= plan.startMs) {
      const d = plan.deploys[this.nextDeploy++]!;
      this.version[d.service] = d.version;
    }
    // A daily-like curve (traffic rising over the window) with ±15% noise per slice.
    const w = new Float64Array(this.slices);
    let total = 0;
    for (let i = 0; i < this.slices; i++) {
      const x = i / this.slices;
      w[i] = (0.8 + 0.4 * Math.sin(Math.PI * (x - 0.2))) * (0.85 + 0.3 * this.r.next());
      total += w[i]!;
    }
    this.spanTarget = new Float64Array(this.slices);
    this.logTarget = new Float64Array(this.slices);
    let acc = 0;
    for (let i = 0; i < this.slices; i++) {
      acc += w[i]!;
      this.spanTarget[i] = (plan.targets.spans * acc) / total;
      this.logTarget[i] = (plan.targets.logs * acc) / total;
    }
    this.entryWeights = plan.entries.map((_, i) => ENTRY_WEIGHTS[i] ?? 0.05);
  }

  private resource(s: ServiceDef, version: string, instance: number): Attributes {
    const key = `${s.index}\u0000${version}\u0000${instance}`;
    let res = this.resources.get(key);
    if (!res) {
      res = {
        'service.name': s.name,
        'service.namespace': 'acme',
        'service.version': version,
        'service.instance.id': `${s.name}-${hex32(mix(s.index * 31 + instance)).slice(0, 8)}`,
        'deployment.environment.name': 'production',
        'host.name': `ip-10-0-${s.index % 250}-${instance + 10}.ec2.internal`,
        'telemetry.sdk.language': LANGUAGE[s.runtime],
        'telemetry.sdk.name': 'opentelemetry',
      };
      this.resources.set(key, res);
    }
    return res;
  }

  private spanId(): string {
    this.ids = (this.ids + 0x9e3779b9) | 0;
    return hex32(mix(this.ids)) + hex32(mix(this.ids ^ 0x27d4eb2f));
  }

  private traceId(): string {
    this.ids = (this.ids + 0x9e3779b9) | 0;
    return this.tracePrefix.slice(0, 16) + hex32(mix(this.ids)) + hex32(mix(this.ids ^ 0x165667b1));
  }

  private fill(parts: Parts, ctx: { user: string; acct: string; err: string }): string {
    const r = this.r;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      switch (p.d) {
        case 'id':
          out += r.int(1, 9_999_999);
          break;
        case 'uuid':
          out += `${hex32(r.int(0, 0xffffffff))}-${hex32(r.int(0, 0xffffffff)).slice(0, 4)}-4${hex32(r.int(0, 0xffffffff)).slice(0, 3)}-a${hex32(r.int(0, 0xffffffff)).slice(0, 3)}-${hex32(r.int(0, 0xffffffff))}${hex32(r.int(0, 0xffffffff)).slice(0, 4)}`;
          break;
        case 'ms':
          out += Math.round(Math.exp(r.float(0, 7)));
          break;
        case 'n':
          out += r.int(0, 64);
          break;
        case 'user':
          out += ctx.user;
          break;
        case 'acct':
          out += ctx.acct;
          break;
        case 'status':
          out += r.pick([200, 200, 200, 201, 204, 400, 404, 409]);
          break;
        case 'ip':
          out += `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
          break;
        case 'hex':
          out += hex32(r.int(0, 0xffffffff)).slice(0, 6) + hex32(r.int(0, 0xffffffff)).slice(0, 6);
          break;
        case 'bytes':
          out += r.int(120, 2_000_000);
          break;
        case 'pct':
          out += r.int(80, 99);
          break;
        case 'bool':
          out += r.chance(0.5) ? 'true' : 'false';
          break;
        case 'err':
          out += ctx.err;
          break;
      }
    }
    return out;
  }

  private lognormal(medianMs: number, sigma: number): number {
    const r = this.r;
    // Box–Muller, one normal draw.
    const z = Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
    return medianMs * Math.exp(sigma * z);
  }

  /** The first fault of this service active at t (and, for a latency fault, on this endpoint). */
  private faultAt(service: number, endpoint: number, t: number): Fault | null {
    for (const f of this.plan.faults) {
      if (f.service !== service || t < f.onsetMs) continue;
      if (f.kind === 'latency' && f.endpoint !== endpoint) continue;
      return f;
    }
    return null;
  }

  /** All slices, in order. */
  *generate(): Generator<Slice> {
    for (let i = 0; i < this.slices; i++) yield this.slice(i);
  }

  slice(index: number): Slice {
    const plan = this.plan;
    const startMs = plan.startMs + index * this.sliceMs;
    const endMs = Math.min(plan.endMs, startMs + this.sliceMs);
    const deploys: DeployPlan[] = [];
    while (this.nextDeploy < plan.deploys.length && plan.deploys[this.nextDeploy]!.atMs < endMs) {
      const d = plan.deploys[this.nextDeploy++]!;
      deploys.push(d);
    }
    const spans: Span[] = [];
    const servers: ServerCall[] = [];
    const spanGoal = Math.round(this.spanTarget[index]!);
    while (this.spans + spans.length < spanGoal) {
      const entry = this.r.weighted(this.plan.entries, (e) => this.entryWeights[this.plan.entries.indexOf(e)]!);
      this.trace(entry, startMs + this.r.next() * (endMs - startMs), deploys, spans, servers);
    }
    this.spans += spans.length;
    for (const d of deploys) this.version[d.service] = d.version;
    const logs = this.logsFor(servers, Math.round(this.logTarget[index]!) - this.logs, startMs, endMs);
    this.logs += logs.length;
    // Records of one service together, as an exporter sends them.
    spans.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    logs.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    return { index, startMs, endMs, spans, logs, deploys };
  }

  private versionAt(service: number, t: number, deploys: readonly DeployPlan[]): string {
    // Deploys of this slice take effect at their own time.
    let v = this.version[service]!;
    for (const d of deploys) {
      if (d.service !== service) continue;
      if (d.atMs <= t) v = d.version;
    }
    return v;
  }

  private trace(
    entry: number,
    startMs: number,
    deploys: readonly DeployPlan[],
    spans: Span[],
    servers: ServerCall[],
  ): void {
    const r = this.r;
    const user = `u-${Math.floor(this.plan.users * r.next() ** 2) + 1}`;
    const acct = `acct-${Math.floor((Number(user.slice(2)) * 7919) % this.plan.accounts) + 1}`;
    const traceId = this.traceId();
    const ctx: TraceContext = { traceId, user, acct, spans: 0 };
    const s = this.plan.services[entry]!;
    const ep = r.weighted(
      s.endpoints.map((_, i) => i),
      (i) => s.endpoints[i]!.weight,
    );
    this.serve(s, ep, null, startMs, 0, ctx, deploys, spans, servers);
  }

  /** One request to service `s`: its server span, its calls (client + callee spans), its DB spans. */
  private serve(
    s: ServiceDef,
    ep: number,
    parentSpanId: string | null,
    startMs: number,
    depth: number,
    ctx: TraceContext,
    deploys: readonly DeployPlan[],
    spans: Span[],
    servers: ServerCall[],
  ): { endMs: number; failed: boolean } {
    const r = this.r;
    const endpoint = s.endpoints[ep]!;
    const fault = this.faultAt(s.index, ep, startMs);
    const selfMs = this.lognormal(endpoint.medianMs, 0.6) * (fault ? fault.latencyFactor : 1);
    const spanId = this.spanId();
    const version = this.versionAt(s.index, startMs, deploys);
    const resource = this.resource(s, version, r.int(0, s.instances - 1));
    const scope = this.scopes[s.index]!;
    ctx.spans++;
    let cursor = startMs + selfMs * 0.3;
    let upstreamFailed: string | null = null;
    const callProb = depth === 0 ? 0.75 : depth === 1 ? 0.5 : 0.35;
    for (const c of s.calls) {
      if (ctx.spans >= MAX_TRACE_SPANS - 2 || !r.chance(callProb)) continue;
      const callee = this.plan.services[c]!;
      const cep = r.weighted(
        callee.endpoints.map((_, i) => i),
        (i) => callee.endpoints[i]!.weight,
      );
      const clientId = this.spanId();
      ctx.spans++;
      const res = this.serve(callee, cep, clientId, cursor + 0.4, depth + 1, ctx, deploys, spans, servers);
      const clientEnd = res.endMs + 0.4;
      const calleeEp = callee.endpoints[cep]!;
      spans.push(
        this.span(
          s,
          resource,
          scope,
          ctx,
          clientId,
          spanId,
          callee.consumer ? `${calleeEp.name.split(' ')[0]} publish` : `${calleeEp.method} ${calleeEp.route}`,
          callee.consumer ? 4 : 3,
          cursor,
          clientEnd,
          res.failed,
          {
            'server.address': `${callee.name}.internal`,
            ...(callee.consumer
              ? { 'messaging.system': 'kafka', 'messaging.destination.name': calleeEp.name.split(' ')[0]! }
              : { 'http.request.method': calleeEp.method, 'http.response.status_code': res.failed ? 503 : 200 }),
          },
        ),
      );
      if (res.failed) upstreamFailed = callee.name;
      cursor = clientEnd + 0.3;
    }
    if (s.table && ctx.spans < MAX_TRACE_SPANS && r.chance(0.7)) {
      const n = r.int(1, 2);
      for (let i = 0; i < n; i++) {
        const d = this.lognormal(1.5, 0.8) * (fault?.kind === 'latency' ? fault.latencyFactor : 1);
        const op = r.pick(['SELECT', 'SELECT', 'UPDATE', 'INSERT']);
        spans.push(
          this.span(s, resource, scope, ctx, this.spanId(), spanId, `${op} ${s.table}`, 3, cursor, cursor + d, false, {
            'db.system.name': 'postgresql',
            'db.operation.name': op,
            'db.collection.name': s.table,
          }),
        );
        ctx.spans++;
        cursor += d + 0.1;
      }
    }
    const endMs = cursor + selfMs * 0.7;
    let error: ErrorType | null = null;
    if (fault?.kind === 'errors' && r.chance(fault.errorRate)) error = fault.error;
    else if (r.chance(s.baseErrorRate)) error = r.pick(s.errors);
    else if (upstreamFailed !== null && r.chance(0.6)) error = s.upstreamError;
    const errText = error ? this.fill(error.message, { user: ctx.user, acct: ctx.acct, err: '' }) : '';
    const attributes: Attributes = s.consumer
      ? {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'enduser.id': ctx.user,
          'account.id': ctx.acct,
        }
      : {
          'http.request.method': endpoint.method,
          'http.route': endpoint.route,
          'http.response.status_code': error ? (error === s.upstreamError ? 502 : 500) : 200,
          'enduser.id': ctx.user,
          'account.id': ctx.acct,
        };
    const span = this.span(
      s,
      resource,
      scope,
      ctx,
      spanId,
      parentSpanId,
      endpoint.name,
      s.consumer ? 5 : 2,
      startMs,
      endMs,
      error !== null,
      attributes,
    );
    span.httpRoute = endpoint.route;
    if (error) {
      span.statusMessage = errText;
      span.events = [
        {
          timeUnixNano: (endMs - 0.2) * 1e6,
          name: 'exception',
          attributes: {
            'exception.type': error.type,
            'exception.message': errText,
            'exception.stacktrace': error.stack.replace('\u0000', errText),
            'exception.escaped': true,
          },
        },
      ];
      const fi = fault?.error === error ? this.plan.faults.indexOf(fault) : null;
      this.remember({
        service: s.index,
        atMs: endMs,
        user: ctx.user,
        account: ctx.acct,
        traceId: ctx.traceId,
        route: endpoint.name,
        type: error.type,
        message: errText,
        fault: fi,
      });
    }
    spans.push(span);
    servers.push({ s, span, resource, scope, error, errText, fault, startMs, endMs, version });
    return { endMs, failed: error !== null };
  }

  private remember(x: Sighting): void {
    // Reservoir samples (ordinary errors, and each fault's), so tickets quote errors from the whole window.
    if (x.fault !== null) {
      const seen = (this.faultSeen[x.fault] ?? 0) + 1;
      this.faultSeen[x.fault] = seen;
      const mine = this.faultSightings[x.fault] ?? [];
      this.faultSightings[x.fault] = mine;
      if (mine.length < FAULT_SIGHTINGS_KEPT) mine.push(x);
      else {
        const j = Math.floor(this.r.next() * seen);
        if (j < FAULT_SIGHTINGS_KEPT) mine[j] = x;
      }
      return;
    }
    this.seen++;
    if (this.ordinary.length < SIGHTINGS_KEPT) this.ordinary.push(x);
    else {
      const j = Math.floor(this.r.next() * this.seen);
      if (j < SIGHTINGS_KEPT) this.ordinary[j] = x;
    }
  }

  /** Errors users hit: a sample of the ordinary ones and of each fault's. */
  get sightings(): Sighting[] {
    return [...this.ordinary, ...this.faultSightings.flatMap((x) => x ?? [])];
  }

  private span(
    s: ServiceDef,
    resource: Attributes,
    scope: Scope,
    ctx: TraceContext,
    spanId: string,
    parentSpanId: string | null,
    name: string,
    kind: number,
    startMs: number,
    endMs: number,
    failed: boolean,
    attributes: Attributes,
  ): Span {
    const startNs = Math.round(startMs * 1e3) * 1e3;
    const endNs = Math.round(endMs * 1e3) * 1e3;
    return {
      service: s.name,
      serviceVersion: resource['service.version'] as string,
      environment: 'production',
      userId: ctx.user,
      accountId: ctx.acct,
      traceId: ctx.traceId,
      spanId,
      parentSpanId,
      traceState: '',
      name,
      kind,
      startTimeUnixNano: startNs,
      endTimeUnixNano: endNs,
      durationNano: endNs - startNs,
      statusCode: failed ? 2 : 0,
      statusMessage: '',
      httpRoute: null,
      attributes,
      events: [],
      links: [],
      resource,
      scope,
    };
  }

  /** `goal` log lines over this slice's requests (chattier services write more), plus background lines. */
  private logsFor(servers: ServerCall[], goal: number, startMs: number, endMs: number): LogRecord[] {
    const r = this.r;
    const out: LogRecord[] = [];
    if (goal <= 0) return out;
    // Lines every failed request writes, and the faults' own lines.
    for (const c of servers) {
      if (c.error) {
        const own = c.fault !== null && c.fault.error === c.error ? c.fault.template : null;
        out.push(this.log(c, own ?? r.pick(c.s.errorTemplates), c.endMs - 0.3, c.errText, true));
      }
      if (c.fault?.kind === 'latency' && r.chance(0.5))
        out.push(this.log(c, c.fault.template, c.startMs + 1, '', false));
    }
    // The rest spread over the requests by chattiness; about 8% from background jobs.
    let totalWeight = 0;
    for (const c of servers) totalWeight += c.s.chattiness;
    const traced = Math.round((goal - out.length) * 0.92);
    const perWeight = totalWeight > 0 && traced > 0 ? traced / totalWeight : 0;
    for (const c of servers) {
      const want = c.s.chattiness * perWeight;
      let n = Math.floor(want);
      if (r.next() < want - n) n++;
      for (let k = 0; k < n; k++)
        out.push(this.log(c, this.template(c.s), c.startMs + r.next() * (c.endMs - c.startMs), '', false));
    }
    // Background jobs: no trace, on a random service.
    for (let k = goal - out.length; k > 0; k--) {
      const s = r.pick(this.plan.services);
      const version = this.version[s.index]!;
      const resource = this.resource(s, version, r.int(0, s.instances - 1));
      const user = `u-${r.int(1, this.plan.users)}`;
      const call: ServerCall = {
        s,
        span: null,
        resource,
        scope: this.scopes[s.index]!,
        error: null,
        errText: '',
        fault: null,
        startMs,
        endMs,
        version,
      };
      out.push(this.log(call, this.template(s), startMs + r.next() * (endMs - startMs), '', false, user));
    }
    return out;
  }

  /** A template of the service, by weight (cumulative weights kept per service). */
  private template(s: ServiceDef): LogTemplate {
    let cum = this.cumulative[s.index];
    if (cum === undefined) {
      cum = new Float64Array(s.templates.length);
      let acc = 0;
      s.templates.forEach((t, i) => {
        acc += t.weight;
        cum![i] = acc;
      });
      this.cumulative[s.index] = cum;
    }
    const x = this.r.next() * cum[cum.length - 1]!;
    let i = 0;
    while (i < cum.length - 1 && cum[i]! <= x) i++;
    return s.templates[i]!;
  }

  private log(
    c: ServerCall,
    t: LogTemplate,
    atMs: number,
    errText: string,
    withException: boolean,
    userOverride?: string,
  ): LogRecord {
    const span = c.span;
    const user = userOverride ?? span?.userId ?? '';
    const acct = span?.accountId ?? `acct-${(Number(user.slice(2)) % this.plan.accounts) + 1}`;
    const ns = Math.round(atMs * 1e3) * 1e3;
    const attributes: Attributes = { 'enduser.id': user, 'code.function.name': c.s.files[t.file]!.functions[t.fn]! };
    if (withException && c.error && this.r.chance(0.3)) {
      attributes['exception.type'] = c.error.type;
      attributes['exception.message'] = errText;
      attributes['exception.stacktrace'] = c.error.stack.replace('\u0000', errText);
    }
    return {
      service: c.s.name,
      serviceVersion: c.version,
      environment: 'production',
      userId: user || null,
      accountId: span ? acct : null,
      timeUnixNano: ns,
      observedTimeUnixNano: ns + 1e6,
      severityNumber: SEVERITY[t.level],
      severityText: t.level,
      body: this.fill(t.parts, { user, acct, err: errText }),
      eventName: '',
      traceId: span?.traceId ?? null,
      spanId: span?.spanId ?? null,
      flags: span ? 1 : 0,
      attributes,
      resource: c.resource,
      scope: c.scope,
    };
  }
}

interface TraceContext {
  traceId: string;
  user: string;
  acct: string;
  spans: number;
}

interface ServerCall {
  s: ServiceDef;
  span: Span | null;
  resource: Attributes;
  scope: Scope;
  error: ErrorType | null;
  errText: string;
  fault: Fault | null;
  startMs: number;
  endMs: number;
  version: string;
}

// ---------------------------------------------------------------------------------------
// The git repository

function renderFile(s: ServiceDef, file: number, revs: Uint16Array, offset: number): string {
  const f = s.files[file]!;
  const logsByFn = new Map<number, LogTemplate[]>();
  for (const t of [...s.templates, ...s.errorTemplates]) {
    if (t.file !== file) continue;
    logsByFn.set(t.fn, [...(logsByFn.get(t.fn) ?? []), t]);
  }
  const lines: string[] = [];
  const header = {
    node: ["import { logger } from './logger.js';", "import type { Ctx } from './types.js';"],
    python: ['import logging', 'from .types import Ctx'],
    java: [`package com.acme.${snake(s.name).replace(/_/g, '')};`, 'import org.slf4j.Logger;'],
    go: ['package internal', 'import "log/slog"'],
  }[s.runtime];
  lines.push(
    `${s.runtime === 'python' ? '#' : '//'} ${f.path.split('/').pop()}: ${s.name} (${FILE_NAMES[file]})`,
    ...header,
  );
  while (lines.length < HEADER_LINES) lines.push('');
  const java = s.runtime === 'java';
  f.functions.forEach((name, i) => {
    const rev = revs[offset + i]!;
    const logs = (logsByFn.get(i) ?? []).slice(0, 2);
    const call = (t: LogTemplate): string => {
      const level = t.level.toLowerCase();
      const js = t.parts.map((p) => (typeof p === 'string' ? p.replace(/[`$\\]/g, '') : `\${${p.d}}`)).join('');
      const fmt = t.parts
        .map((p) =>
          typeof p === 'string'
            ? p.replace(/["\\{}%]/g, '')
            : s.runtime === 'python'
              ? `{${p.d}}`
              : s.runtime === 'go'
                ? '%v'
                : '{}',
        )
        .join('');
      const args = t.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.d])).join(', ');
      switch (s.runtime) {
        case 'node':
          return `  logger.${level}(\`${js}\`);`;
        case 'python':
          return `    log.${level === 'warn' ? 'warning' : level}(f"${fmt}")`;
        case 'java':
          return `    log.${level}("${fmt}"${args ? `, ${args}` : ''});`;
        case 'go':
          return `\tslog.${pascal(level === 'warn' ? 'warn' : level)}(fmt.Sprintf("${fmt}"${args ? `, ${args}` : ''}))`;
      }
    };
    const body = [
      s.runtime === 'python'
        ? `    limit = ${(rev * 7919) % 1000}  # rev ${rev}`
        : `${s.runtime === 'go' ? '\t' : '  '}${s.runtime === 'go' ? 'limit := ' : java ? 'int limit = ' : 'const limit = '}${(rev * 7919) % 1000}; // rev ${rev}`,
      ...logs.map(call),
    ];
    while (body.length < FN_LINES - 3) body.push(s.runtime === 'python' ? '    pass' : '');
    switch (s.runtime) {
      case 'node':
        lines.push(
          `export async function ${name}(ctx: Ctx, id: string): Promise<number> {`,
          ...body,
          '  return limit;',
          '}',
        );
        break;
      case 'python':
        lines.push(`def ${name}(ctx: Ctx, id: str) -> int:`, ...body, '    return limit', '');
        break;
      case 'java':
        lines.push(`  public int ${name}(Ctx ctx, String id) {`, ...body, '    return limit;', '  }');
        break;
      case 'go':
        lines.push(`func ${name}(ctx Ctx, id string) int {`, ...body, '\treturn limit', '}');
        break;
    }
  });
  return `${lines.join('\n')}\n`;
}

export interface RepoBuild {
  dir: string;
  /** SHA of each planned commit, by index. */
  shas: string[];
  files: number;
  seconds: number;
}

/**
 * Writes the plan's history into a new git repository at `dir` with one `git fast-import`
 * (one commit per planned commit, each rewriting the files it changes), then checks out HEAD.
 */
export async function buildRepository(
  plan: WorldPlan,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<RepoBuild> {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  const marks = join(dir, '.git', 'orrery-bench-marks');
  const child = spawn('git', ['fast-import', '--quiet', `--export-marks=${marks}`], {
    cwd: dir,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}: ${stderr.trim().slice(-2000)}`)),
    );
  });
  const write = (s: string): Promise<void> | null =>
    child.stdin.write(s) ? null : new Promise((resolve) => child.stdin.once('drain', () => resolve()));
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;

  // Function revisions per service, flattened per file.
  const offsets = plan.services.map((s) => {
    const o: number[] = [];
    let n = 0;
    for (const f of s.files) {
      o.push(n);
      n += f.functions.length;
    }
    return { o, revs: new Uint16Array(n) };
  });
  let files = 0;
  const owners = plan.services.map((s) => `/services/${s.name}/ @acme/team-${s.name.split('-')[0]}`).join('\n');
  for (let i = 0; i < plan.commits.length; i++) {
    const c = plan.commits[i]!;
    const dev = plan.developers[c.author]!;
    const when = `${Math.floor(c.atMs / 1000)} +0000`;
    let out = `commit refs/heads/main\nmark :${i + 1}\nauthor ${dev.name} <${dev.email}> ${when}\ncommitter ${dev.name} <${dev.email}> ${when}\n${data(c.message)}`;
    if (i > 0) out += `from :${i}\n`;
    if (c.service === -1) {
      out += `M 100644 inline README.md\n${data('# acme services\n\nOne folder per service under services/.\n')}`;
      out += `M 100644 inline .github/CODEOWNERS\n${data(`${owners}\n`)}`;
      for (const s of plan.services) {
        const { o, revs } = offsets[s.index]!;
        for (let f = 0; f < s.files.length; f++) {
          out += `M 100644 inline ${s.files[f]!.path}\n${data(renderFile(s, f, revs, o[f]!))}`;
          files++;
        }
      }
    } else {
      const s = plan.services[c.service]!;
      const { o, revs } = offsets[s.index]!;
      const touched = new Set<number>();
      for (const [f, fn] of c.changes) {
        revs[o[f]! + fn]!++;
        touched.add(f);
      }
      for (const f of touched) out += `M 100644 inline ${s.files[f]!.path}\n${data(renderFile(s, f, revs, o[f]!))}`;
    }
    const wait = write(out);
    if (wait) await wait;
    if (i % 500 === 0) onProgress?.(i, plan.commits.length);
  }
  child.stdin.end();
  await done;
  onProgress?.(plan.commits.length, plan.commits.length);
  const shas = new Array<string>(plan.commits.length).fill('');
  for (const line of readFileSync(marks, 'utf8').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40,64})$/.exec(line);
    if (m) shas[Number(m[1]) - 1] = m[2]!;
  }
  if (shas.some((s) => s === '')) throw new Error('git fast-import did not report a SHA for every commit');
  await git(dir, ['reset', '-q', '--hard', 'main']);
  return { dir, shas, files, seconds: (performance.now() - t0) / 1000 };
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${err.trim()}`)),
    );
  });
}

// ---------------------------------------------------------------------------------------
// Tickets

const CUSTOMERS = [
  'northwind',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'vandelay',
  'stark',
  'wayne',
  'tyrell',
  'cyberdyne',
  'soylent',
  'wonka',
];
const NOISE = [
  ['How do I export my {Es}?', 'Is there a way to download all {Es} as CSV? I could not find it in the settings.'],
  ['Invoice address change', 'Please change the billing address on account {acct} to our new office.'],
  ['Feature request: dark mode', 'Our team would love a dark mode for the dashboard.'],
  ['Question about {E} limits', 'What is the maximum number of {Es} per account? We are on the business plan.'],
  ['Cannot find the API docs for {Es}', 'The link in the onboarding email points to a 404 page.'],
];

/**
 * Support tickets over the last 60 days: most are questions and old complaints; those written
 * during the window quote errors users actually hit (service, route, error, user, trace), and
 * a share of them complain about the injected faults after their onset.
 */
export function* ticketInputs(plan: WorldPlan, sightings: readonly Sighting[]): Generator<TicketInput> {
  const r = new Prng(seedOf('tickets', plan.seed));
  const fmtTime = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const faultSightings = sightings.filter((s) => s.fault !== null);
  const other = sightings.filter((s) => s.fault === null);
  for (let i = 0; i < plan.targets.tickets; i++) {
    const customer = r.pick(CUSTOMERS);
    const reporter = `${r.pick(FIRST).toLowerCase()}.${r.pick(LAST).toLowerCase()}@${customer}.example`;
    const x = r.next();
    let title: string;
    let body: string;
    let createdMs: number;
    let userIds: string[] = [];
    if (x < 0.04 && faultSightings.length) {
      const s = r.pick(faultSightings);
      const svc = plan.services[s.service]!;
      createdMs = Math.min(plan.endMs - 1000, s.atMs + r.float(1, 30) * MINUTE);
      title = r.pick([
        `Errors when saving ${plural(svc.entity)}`,
        `${svc.entity} page broken since this afternoon`,
        `500 errors on ${s.route}`,
      ]);
      body = `Since about ${fmtTime(s.atMs)} UTC we get "${s.type}: ${s.message}" when we use ${s.route}. User ${s.user} on account ${s.account} is blocked. Trace id ${s.traceId}. It looks like ${svc.name} is failing.`;
      userIds = [s.user];
    } else if (x < 0.35 && other.length) {
      // The same errors happened before the window too: older tickets quote them without a trace.
      const s = r.pick(other);
      const svc = plan.services[s.service]!;
      const recent = r.chance(0.3);
      createdMs = Math.min(
        plan.endMs - 1000,
        recent ? s.atMs + r.float(1, 120) * MINUTE : plan.startMs - r.float(0.1, 60) * DAY,
      );
      title = `${s.type} in ${svc.name}`;
      body = recent
        ? `Customer ${s.user} (${s.account}) reports an error on ${s.route} at ${fmtTime(s.atMs)} UTC:\n\n    ${s.type}: ${s.message}\n\n${r.chance(0.5) ? `trace_id=${s.traceId}` : 'No trace id available.'}`
        : `A customer on account ${s.account} keeps getting "${s.type}: ${s.message}" on ${s.route}.`;
    } else if (x < 0.6) {
      const svc = r.pick(plan.services);
      const ep = r.pick(svc.endpoints);
      createdMs = plan.endMs - r.float(0.1, 60) * DAY;
      title = `Slow ${plural(svc.entity)} ${r.pick(['page', 'list', 'sync', 'export'])}`;
      body = `${ep.name} takes ${r.int(3, 40)} seconds for account acct-${r.int(1, plan.accounts)}. Is ${svc.name} having issues?`;
    } else {
      const svc = r.pick(plan.services);
      const [t, b] = r.pick(NOISE);
      const words = { E: svc.entity, Es: plural(svc.entity), acct: `acct-${r.int(1, plan.accounts)}` };
      title = t!.replace(/\{(\w+)\}/g, (_, k: string) => words[k as keyof typeof words]);
      body = b!.replace(/\{(\w+)\}/g, (_, k: string) => words[k as keyof typeof words]);
      createdMs = plan.endMs - r.float(0.1, 60) * DAY;
    }
    const closed = createdMs < plan.endMs - 3 * DAY ? r.chance(0.9) : r.chance(0.2);
    yield {
      source: 'zendesk',
      externalId: String(100_000 + i),
      title,
      body,
      status: closed ? 'closed' : r.chance(0.3) ? 'pending' : 'open',
      sourceStatus: closed ? 'solved' : 'open',
      createdAt: new Date(createdMs).toISOString(),
      updatedAt: new Date(Math.min(plan.endMs, createdMs + r.float(0, 2) * DAY)).toISOString(),
      reporterEmail: reporter,
      reporterName: null,
      url: `https://acme.zendesk.example/agent/tickets/${100_000 + i}`,
      labels: r.sample(['bug', 'billing', 'question', 'outage', 'performance', 'vip'], r.int(0, 2)),
      priority: r.pick(['low', 'normal', 'normal', 'high', 'urgent']),
      comments: r.chance(0.3)
        ? [
            {
              id: `c${i}`,
              author: 'agent@acme.dev',
              body: 'Thanks, we are looking into it.',
              createdAt: new Date(createdMs + HOUR).toISOString(),
            },
          ]
        : [],
      userIds,
      accountIds: [],
    };
  }
}

// ---------------------------------------------------------------------------------------
// What to investigate

export interface AlertPlan {
  why: string;
  service: string;
  endpoint?: string;
  sinceMs: number;
}

/**
 * `n` alerts: on each fault's service at its onset, on an entry service upstream of the
 * failing one, and on other services with `since` between 5 and 120 minutes before the end.
 */
export function alertPlans(plan: WorldPlan, n: number): AlertPlan[] {
  const r = new Prng(seedOf('alerts', plan.seed));
  const out: AlertPlan[] = [];
  const errorsFault = plan.faults.find((f) => f.kind === 'errors');
  const latencyFault = plan.faults.find((f) => f.kind === 'latency');
  const upstream = (target: number): number[] => {
    const callers = new Set<number>();
    const stack = [target];
    while (stack.length) {
      const t = stack.pop()!;
      for (const s of plan.services) {
        if (!s.calls.includes(t) || callers.has(s.index)) continue;
        callers.add(s.index);
        stack.push(s.index);
      }
    }
    return [...callers];
  };
  for (let i = 0; out.length < n; i++) {
    const k = i % 5;
    if (k === 0 && errorsFault) {
      out.push({
        why: 'fault service (errors)',
        service: plan.services[errorsFault.service]!.name,
        sinceMs: errorsFault.onsetMs - r.int(0, 3) * MINUTE,
      });
    } else if (k === 1 && errorsFault) {
      const callers = upstream(errorsFault.service);
      const entry = callers.filter((c) => plan.services[c]!.tier === 0);
      const pick = r.pick(entry.length ? entry : callers.length ? callers : [errorsFault.service]);
      out.push({
        why: 'upstream of the failing service',
        service: plan.services[pick]!.name,
        sinceMs: errorsFault.onsetMs + r.int(0, 5) * MINUTE,
      });
    } else if (k === 2 && latencyFault) {
      const s = plan.services[latencyFault.service]!;
      out.push({
        why: 'fault service (latency)',
        service: s.name,
        endpoint: s.endpoints[latencyFault.endpoint]!.name,
        sinceMs: latencyFault.onsetMs - r.int(0, 3) * MINUTE,
      });
    } else {
      const s = r.pick(plan.services);
      out.push({ why: 'random service', service: s.name, sinceMs: plan.endMs - r.int(5, 120) * MINUTE });
    }
  }
  return out;
}
