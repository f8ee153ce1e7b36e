// `npm run bench -- redact`: throughput of the redact transform (REDACT_ALGORITHM) on realistic,
// mostly clean strings: real log bodies from loghub-2k (when ../shared/datasets is there),
// application log lines and short attribute values, with a few percent carrying secrets.
// Also reports what it changed in the real logs, where nearly nothing should change.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { REDACT_ALGORITHM, compileRedactor } from '../src/ingest/transforms/index.js';
import type { Attributes, LogRecord } from '../src/model/index.js';
import { int, table } from './lib/format.js';
import { LOGHUB_SYSTEMS, loghubMissing, readLoghubSystem } from './lib/loghub.js';

const USAGE = `usage: npm run bench -- redact [options]

Times ${REDACT_ALGORITHM} with the default rules on a mix of strings (loghub-2k bodies when
available, synthetic application log lines, short attribute values; --secrets percent of
them with a secret) and on log-record batches, and prints strings/s and records/s on one core.

Options:
  --seconds N    seconds per measurement (default 2; 4 measurements plus warm-up)
  --secrets P    percent of strings that carry a secret (default 2)
  --help         this text`;

const KEY = 'bench-key-0123456789';

/** Application log lines as services write them: access logs, logfmt, JSON, errors. */
const APP_LINES = [
  'GET /api/v1/cart/8842 200 12.4ms',
  'POST /api/v1/checkout 502 1834ms upstream=payments',
  'level=info ts=2024-01-15T10:23:45.123Z caller=server.go:142 msg="request served" method=GET path=/healthz status=200 duration=0.41ms',
  'level=warn ts=2024-01-15T10:23:46.001Z msg="slow query" table=orders rows=1532 took=812ms trace_id=4bf92f3577b34da6a3ce929d0e0e4736',
  '{"level":"error","time":1705312800123,"msg":"payment declined","order_id":"ord_8fj2k3","amount":1250,"currency":"EUR","retry":false}',
  '{"level":"info","time":1705312800456,"msg":"cart updated","cart_id":"550e8400-e29b-41d4-a716-446655440000","items":3}',
  'Error: connect ECONNREFUSED 10.0.3.17:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
  'java.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
  'cache miss key=user:42:profile ttl=30s backend=redis-0',
  'Started OrderService in 4.213 seconds (process running for 4.9)',
  'worker 7 processed 1000 messages from topic orders-v2 partition 3 offset 884213',
  'deployment cart v1.24.3 rolled out to 12/12 pods in prod-eu-west-1',
];

/** Attribute values: most are short identifiers, routes, hosts and numbers as text. */
const ATTR_VALUES = [
  'GET',
  '/cart/:id',
  'cart',
  'prod',
  '200',
  'node-1',
  'cart-7d9f8c-x2z',
  'http',
  '1.4.0',
  'us-east-1',
  'https://api.example.com/v1/cart/8842?page=2',
  'SELECT * FROM orders WHERE id = $1',
  'u-1842',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
];

const SECRET_LINES = [
  'payment failed for card 4111 1111 1111 1111 amount=12.50',
  'login failed for jane.doe@example.com after 3 attempts',
  'Authorization: Bearer abcDEF123456789xyz',
  'GET /callback?code=abc&token=s3cr3tvalue&state=xyz',
  'connecting to postgres://admin:s3cr3t@db.internal:5432/app',
  '{"user":"bob","password":"hunter2","remember":true}',
  'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired',
  'assuming role with AKIAIOSFODNN7EXAMPLE in us-east-1',
];

interface Corpus {
  /**
   * Log bodies: loghub (if any) and application lines, with secrets mixed in, each made
   * distinct (a request number appended) so that the redactor's cache of clean strings never
   * helps: the cold cost, as for bodies full of ids and timestamps.
   */
  bodies: string[];
  /** Attribute values: a small pool, repeated as real attribute values are. */
  values: string[];
  /** Everything the redactor sees for a log record: one body, then three attribute values. */
  strings: string[];
  loghub: string[];
}

function buildCorpus(secretPercent: number): Corpus {
  const loghub: string[] = [];
  if (loghubMissing() === null) for (const sys of LOGHUB_SYSTEMS) loghub.push(...readLoghubSystem(sys).contents);
  const clean = [...loghub];
  for (let i = 0; i < Math.max(4000, loghub.length / 4); i++) clean.push(APP_LINES[i % APP_LINES.length]!);
  // A fixed, deterministic interleaving: every (100 / P)-th body is a secret line.
  const every = secretPercent > 0 ? Math.max(1, Math.round(100 / secretPercent)) : Number.POSITIVE_INFINITY;
  const bodies = clean.map(
    (line, i) => `${i % every === every - 1 ? SECRET_LINES[i % SECRET_LINES.length]! : line} req=${i}`,
  );
  const values: string[] = [];
  const strings: string[] = [];
  bodies.forEach((b, i) => {
    strings.push(b);
    for (let k = 0; k < 3; k++) {
      const v = ATTR_VALUES[(i * 3 + k) % ATTR_VALUES.length]!;
      strings.push(v);
      values.push(v);
    }
  });
  return { bodies, values, strings, loghub };
}

/** Copies that are new string objects, as a decoder makes them (no hash computed yet). */
function fresh(strings: readonly string[]): string[] {
  return strings.map((s) => Buffer.from(s, 'utf8').toString('utf8'));
}

/**
 * Redacts fresh copies of `strings` for about `seconds` (the copies are made outside the
 * timed part) and returns strings per second.
 */
function rate(seconds: number, strings: readonly string[], redact: (s: string) => string): number {
  let timed = 0;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const batch = fresh(strings);
    const t0 = performance.now();
    for (const s of batch) redact(s);
    timed += performance.now() - t0;
    done += batch.length;
  }
  return done / (timed / 1000);
}

function makeRecords(bodies: string[]): { records: LogRecord[]; reset: () => void } {
  const resource: Attributes = {
    'service.name': 'cart',
    'service.version': '1.4.0',
    'host.name': 'node-1',
    'deployment.environment.name': 'prod',
  };
  const scope = { name: 'cart-lib', version: '0.1', attributes: {} };
  const records: LogRecord[] = bodies.map((body, i) => ({
    service: 'cart',
    serviceVersion: '1.4.0',
    environment: 'prod',
    userId: null,
    accountId: `acct-${i % 20}`,
    timeUnixNano: 1.7e18,
    observedTimeUnixNano: 1.7e18,
    severityNumber: 9,
    severityText: 'INFO',
    body,
    eventName: '',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    flags: 1,
    attributes: {},
    resource,
    scope,
  }));
  // Distinct per record, as real ones are: the URL (an id in the path) and the user.
  const urls = bodies.map((_, i) => `https://api.example.com/v1/cart/${i}?page=2`);
  const users = bodies.map((_, i) => (i % 10 === 0 ? `user${i % 50}@example.com` : `u-${i % 500}`));
  // Outside the timed part: new records' strings, as the decoder would make them.
  const reset = () => {
    const [b, u, l] = [fresh(bodies), fresh(users), fresh(urls)];
    const [agent, fn, route, thread] = fresh([ATTR_VALUES[13]!, 'handle', '/cart/:id', 'worker-3']);
    records.forEach((r, i) => {
      r.body = b[i]!;
      r.userId = u[i]!;
      r.attributes = {
        'code.function': fn!,
        'http.route': route!,
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'url.full': l[i]!,
        'user_agent.original': agent!,
        'enduser.id': u[i]!,
        'thread.name': thread!,
      };
    });
  };
  reset();
  return { records, reset };
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { seconds: { type: 'string' }, secrets: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seconds = Number(values.seconds ?? 2);
  const secrets = Number(values.secrets ?? 2);
  if (!(seconds > 0) || !(secrets >= 0 && secrets <= 100)) {
    process.stderr.write(`bad --seconds or --secrets\n\n${USAGE}\n`);
    return 2;
  }

  const corpus = buildCorpus(secrets);
  const r = compileRedactor({ hashKey: KEY });
  const avgLen = corpus.strings.reduce((n, s) => n + s.length, 0) / corpus.strings.length;
  const avgBody = corpus.bodies.reduce((n, s) => n + s.length, 0) / corpus.bodies.length;
  process.stdout.write(
    `${REDACT_ALGORITHM}: ${int(corpus.strings.length)} strings (avg ${avgLen.toFixed(0)} chars; ${int(corpus.bodies.length)} bodies avg ${avgBody.toFixed(0)} chars, ` +
      `${corpus.loghub.length ? `${int(corpus.loghub.length)} from loghub-2k` : 'loghub-2k not found, synthetic only'}), ${secrets}% of bodies with a secret\n`,
  );

  // Warm up the JIT on everything once.
  for (let i = 0; i < 3; i++) for (const s of corpus.strings) r.text(s);

  const mixed = rate(seconds, corpus.strings, r.text);
  const bodyRate = rate(seconds, corpus.bodies, r.text);
  const attrRate = rate(seconds, corpus.values, r.text);
  const { records, reset } = makeRecords(corpus.bodies);
  const batches: LogRecord[][] = [];
  for (let i = 0; i + 1000 <= records.length; i += 1000) batches.push(records.slice(i, i + 1000));
  let timed = 0;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    reset();
    for (const b of batches) {
      const t0 = performance.now();
      r.logs(b);
      timed += performance.now() - t0;
      done += b.length;
    }
  }
  const recordRate = done / (timed / 1000);

  process.stdout.write(
    `${table(
      ['what', 'per second (one core)', 'µs each'],
      [
        ['strings, mixed (1 distinct body : 3 attribute values)', int(mixed), (1e6 / mixed).toFixed(2)],
        ['log bodies, all distinct (cold)', int(bodyRate), (1e6 / bodyRate).toFixed(2)],
        ['attribute values (repeating)', int(attrRate), (1e6 / attrRate).toFixed(3)],
        ['log records (body + 8 attributes + ids, batches of 1000)', int(recordRate), (1e6 / recordRate).toFixed(2)],
      ],
      new Set([1, 2]),
    )}\n`,
  );

  if (corpus.loghub.length) {
    let changed = 0;
    const byRule: Record<string, number> = {};
    const examples: string[] = [];
    for (const line of corpus.loghub) {
      const rec = { ...records[0]!, body: line, attributes: {}, userId: null, accountId: null };
      const s = r.logs([rec]);
      if (s.redacted) {
        changed++;
        for (const [k, v] of Object.entries(s.byRule)) byRule[k] = (byRule[k] ?? 0) + v;
        if (examples.length < 5) examples.push(`  ${line.slice(0, 110)}\n    → ${rec.body.slice(0, 110)}`);
      }
    }
    process.stdout.write(
      `loghub-2k: ${changed} of ${int(corpus.loghub.length)} real log lines changed (${
        Object.entries(byRule)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }); they hold no planted secrets, so each is a hit to review:\n${examples.join('\n')}\n`,
    );
  }
  process.stdout.write(
    `node ${process.version}, ${os.cpus()[0]?.model.trim() ?? '?'}, load ${os.loadavg()[0]!.toFixed(2)}\n`,
  );
  return 0;
}
