// The Sentry envelope parser and the mapping of its items to telemetry records, on raw
// envelopes: items with and without `length`, a missing final newline, CRLF line ends, unknown
// item types, attachments (binary, with newlines inside), and refusals of what cannot be read.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { parseStackTrace } from '../src/analysis/errors/index.js';
import {
  EnvelopeError,
  decodeEnvelope,
  decodeStoreEvent,
  keyFromAuthHeader,
  parseDsn,
  parseEnvelope,
} from '../src/ingest/sources/sentry/index.js';

const TRACE = '771a43a4192642f0b136d5159a501700';
const EVENT = {
  event_id: '9ec79c33ec9942ab8353589fcb2e04dc',
  timestamp: 1_765_000_000.5,
  platform: 'node',
  level: 'error',
  release: 'checkout@1.4.0',
  environment: 'production',
  user: { id: 'u-42', ip_address: '10.0.0.9' },
  tags: { region: 'eu' },
  contexts: { trace: { trace_id: TRACE, span_id: 'a1b2c3d4e5f60718' } },
  exception: {
    values: [
      {
        type: 'TypeError',
        value: "Cannot read properties of undefined (reading 'total')",
        mechanism: { type: 'onuncaughtexception', handled: false },
        stacktrace: {
          frames: [
            {
              filename: 'node:internal/process/task_queues',
              function: 'process.processTicksAndRejections',
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            {
              filename: '/srv/app/node_modules/express/lib/router/layer.js',
              function: 'Layer.handle',
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            { filename: '/srv/app/src/cart/total.js', function: 'cartTotal', lineno: 12, colno: 20, in_app: true },
          ],
        },
      },
    ],
  },
  breadcrumbs: {
    values: [{ timestamp: 1_765_000_000.1, category: 'console', level: 'info', message: 'loading cart 7' }],
  },
};

const line = (o: unknown) => JSON.stringify(o);
const project = { project: 'checkout', receivedNs: 1_765_000_001e9 };

describe('parseEnvelope', () => {
  it('reads items with and without length, and a payload holding newlines when its length says so', () => {
    const attachment = Buffer.from('line one\nline two\n\x00\xff binary', 'latin1');
    const env = Buffer.concat([
      Buffer.from(`${line({ event_id: EVENT.event_id, dsn: 'http://abc@127.0.0.1:8470/1' })}\n`),
      Buffer.from(`${line({ type: 'event' })}\n${line(EVENT)}\n`),
      Buffer.from(`${line({ type: 'attachment', length: attachment.length, filename: 'log.txt' })}\n`),
      attachment,
      Buffer.from(`\n${line({ type: 'session', length: 2 })}\n{}\n`),
    ]);
    const e = parseEnvelope(env);
    assert.equal(e.header.eventId, EVENT.event_id);
    assert.equal(e.header.dsn, 'http://abc@127.0.0.1:8470/1');
    assert.deepEqual(
      e.items.map((i) => [i.type, i.length]),
      [
        ['event', null],
        ['attachment', attachment.length],
        ['session', 2],
      ],
    );
    assert.deepEqual(e.items[1]!.payload, attachment);
    assert.equal(e.items[1]!.filename, 'log.txt');
  });

  it('takes a missing final newline, CRLF line ends and an empty envelope header', () => {
    const crlf = Buffer.from(
      `{}\r\n${line({ type: 'event' })}\r\n${line(EVENT)}\r\n${line({ type: 'event', length: 2 })}\r\n{}`,
    );
    const e = parseEnvelope(crlf);
    assert.equal(e.items.length, 2);
    assert.equal(JSON.parse(e.items[0]!.payload.toString()).event_id, EVENT.event_id);
    assert.equal(e.items[1]!.payload.toString(), '{}');
    const noFinal = parseEnvelope(Buffer.from(`{}\n${line({ type: 'event' })}\n${line(EVENT)}`));
    assert.equal(noFinal.items.length, 1);
    assert.equal(parseEnvelope(Buffer.from('{}')).items.length, 0);
    assert.equal(parseEnvelope(Buffer.from('{}\n\n\n')).items.length, 0);
  });

  it('refuses what it cannot read with an EnvelopeError', () => {
    const bad = [
      '',
      'not json\n',
      '[1,2]\n',
      `{}\n${line({ length: 2 })}\n{}`,
      `{}\n${line({ type: 'event', length: 99 })}\n{}`,
      `{}\n${line({ type: 'event', length: -1 })}\n{}`,
      `{}\n${line({ type: 'event', length: 2 })}\n{}x`,
      `{}\n{"type":\n`,
    ];
    for (const b of bad) assert.throws(() => parseEnvelope(Buffer.from(b)), EnvelopeError, JSON.stringify(b));
    const many = `{}\n${`${line({ type: 'x' })}\n\n`.repeat(5)}`;
    assert.throws(() => parseEnvelope(Buffer.from(many), { maxItems: 3 }), /more than 3 items/);
  });
});

describe('decodeEnvelope', () => {
  it('an error event becomes an error log whose stack trace errors@1 reads with its in-app frame', () => {
    const e = parseEnvelope(Buffer.from(`{}\n${line({ type: 'event' })}\n${line(EVENT)}\n`));
    const r = decodeEnvelope(e, project);
    const err = r.logs.find((l) => l.eventName === 'sentry.event')!;
    assert.equal(err.service, 'checkout');
    assert.equal(err.serviceVersion, 'checkout@1.4.0');
    assert.equal(err.environment, 'production');
    assert.equal(err.userId, 'u-42');
    assert.equal(err.traceId, TRACE);
    assert.equal(err.severityText, 'ERROR');
    assert.equal(err.timeUnixNano, 1_765_000_000_500_000_000);
    assert.equal(err.attributes['exception.type'], 'TypeError');
    assert.equal(err.attributes['exception.escaped'], true);
    assert.equal(err.attributes.region, 'eu');
    assert.equal(JSON.stringify(err).includes('10.0.0.9'), false, 'the IP address is not kept');
    const parsed = parseStackTrace(String(err.attributes['exception.stacktrace']), 'v8');
    assert.equal(parsed.type, 'TypeError');
    assert.deepEqual(
      parsed.frames.map((f) => [f.function, f.file, f.line, f.inApp]),
      [
        ['cartTotal', '/srv/app/src/cart/total.js', 12, true],
        ['Layer.handle', '/srv/app/node_modules/express/lib/router/layer.js', 95, false],
        ['process.processTicksAndRejections', 'node:internal/process/task_queues', 95, false],
      ],
    );
    const crumb = r.logs.find((l) => l.eventName === 'sentry.breadcrumb')!;
    assert.equal(crumb.body, 'loading cart 7');
    assert.equal(crumb.traceId, TRACE);
    assert.equal(crumb.attributes['sentry.breadcrumb.category'], 'console');
  });

  it("Python and Java frames are written in their runtimes' formats", () => {
    const py = decodeStoreEvent(
      Buffer.from(
        line({
          platform: 'python',
          exception: {
            values: [
              {
                type: 'KeyError',
                value: "'sku'",
                stacktrace: {
                  frames: [
                    { abs_path: '/usr/lib/python3.12/site-packages/flask/app.py', function: 'dispatch', lineno: 880 },
                    { abs_path: '/srv/shop/orders.py', function: 'place_order', lineno: 41 },
                  ],
                },
              },
            ],
          },
        }),
      ),
      project,
    );
    const pyStack = parseStackTrace(String(py.logs[0]!.attributes['exception.stacktrace']), 'python');
    assert.equal(pyStack.type, 'KeyError');
    assert.deepEqual(
      pyStack.frames.map((f) => [f.function, f.inApp]),
      [
        ['place_order', true],
        ['dispatch', false],
      ],
    );
    const java = decodeStoreEvent(
      Buffer.from(
        line({
          platform: 'java',
          exception: {
            values: [
              {
                type: 'IllegalStateException',
                module: 'java.lang',
                value: 'no stock',
                stacktrace: {
                  frames: [
                    {
                      module: 'org.springframework.web.servlet.FrameworkServlet',
                      function: 'service',
                      filename: 'FrameworkServlet.java',
                      lineno: 897,
                    },
                    {
                      module: 'com.acme.shop.StockService',
                      function: 'reserve',
                      filename: 'StockService.java',
                      lineno: 58,
                    },
                  ],
                },
              },
            ],
          },
        }),
      ),
      project,
    );
    const jStack = parseStackTrace(String(java.logs[0]!.attributes['exception.stacktrace']), 'java');
    assert.deepEqual(
      jStack.frames.map((f) => [f.module, f.function, f.line, f.inApp]),
      [
        ['com.acme.shop.StockService', 'StockService.reserve', 58, true],
        ['org.springframework.web.servlet.FrameworkServlet', 'FrameworkServlet.service', 897, false],
      ],
    );
  });

  it('a transaction becomes its spans; a span with a bad id is rejected alone', () => {
    const tx = {
      type: 'transaction',
      transaction: 'GET /cart/:id',
      transaction_info: { source: 'route' },
      start_timestamp: 1_765_000_000,
      timestamp: 1_765_000_000.25,
      release: 'checkout@1.4.0',
      contexts: { trace: { trace_id: TRACE, span_id: 'a1b2c3d4e5f60718', op: 'http.server', status: 'ok' } },
      spans: [
        {
          span_id: 'b1b2c3d4e5f60718',
          parent_span_id: 'a1b2c3d4e5f60718',
          trace_id: TRACE,
          op: 'db',
          description: 'SELECT cart',
          start_timestamp: 1_765_000_000.01,
          timestamp: 1_765_000_000.2,
          status: 'internal_error',
        },
        { span_id: 'nope', parent_span_id: 'a1b2c3d4e5f60718', start_timestamp: 1, timestamp: 2 },
      ],
    };
    const r = decodeEnvelope(
      parseEnvelope(Buffer.from(`{}\n${line({ type: 'transaction' })}\n${line(tx)}\n`)),
      project,
    );
    assert.equal(r.spans.length, 2);
    assert.equal(r.rejected, 1);
    assert.match(r.rejectReasons[0]!, /span id/);
    const root = r.spans.find((s) => s.parentSpanId === null)!;
    assert.equal(root.name, 'GET /cart/:id');
    assert.equal(root.kind, 2);
    assert.equal(root.httpRoute, '/cart/:id');
    assert.equal(root.durationNano, 250_000_000);
    assert.equal(root.serviceVersion, 'checkout@1.4.0');
    const db = r.spans.find((s) => s.name === 'SELECT cart')!;
    assert.equal(db.kind, 3);
    assert.equal(db.statusCode, 2);
    assert.equal(db.parentSpanId, root.spanId);
  });

  it('streamed span items (a v2 container, as @sentry/node 11 sends) become spans', () => {
    const a = (value: unknown, type = 'string') => ({ value, type });
    const payload = {
      version: 2,
      items: [
        {
          name: 'SELECT cart',
          span_id: 'a229fe93be850faf',
          trace_id: TRACE,
          parent_span_id: '91b0788eeb663861',
          start_timestamp: 1_765_000_000.1,
          end_timestamp: 1_765_000_000.125,
          is_segment: false,
          status: 'ok',
          attributes: {
            'sentry.op': a('db'),
            'sentry.release': a('checkout@1.4.0'),
            'sentry.environment': a('production'),
          },
        },
        {
          name: 'GET /cart/:id',
          span_id: '91b0788eeb663861',
          trace_id: TRACE,
          start_timestamp: 1_765_000_000,
          end_timestamp: 1_765_000_000.2,
          is_segment: true,
          status: 'error',
          attributes: {
            'sentry.op': a('http.server'),
            'sentry.segment.name.source': a('route'),
            'sentry.release': a('checkout@1.4.0'),
            'sentry.sdk.integrations': a(['Http', 'Express'], 'array'),
          },
        },
        { name: 'bad', span_id: '1', trace_id: TRACE, start_timestamp: 1, end_timestamp: 2 },
      ],
    };
    const env = `{}\n${line({ type: 'span', item_count: 3, content_type: 'application/vnd.sentry.items.span.v2+json' })}\n${line(payload)}\n`;
    const r = decodeEnvelope(parseEnvelope(Buffer.from(env)), project);
    assert.equal(r.rejected, 1);
    const [db, root] = r.spans;
    assert.equal(root!.name, 'GET /cart/:id');
    assert.equal(root!.parentSpanId, null);
    assert.equal(root!.kind, 2);
    assert.equal(root!.httpRoute, '/cart/:id');
    assert.equal(root!.statusCode, 2);
    assert.equal(root!.attributes['sentry.sdk.integrations'], undefined, 'SDK setup is not kept on every span');
    assert.equal(db!.parentSpanId, root!.spanId);
    assert.equal(db!.kind, 3);
    assert.equal(db!.durationNano, 25_000_000);
    assert.equal(db!.service, 'checkout');
    assert.equal(db!.serviceVersion, 'checkout@1.4.0');
    assert.equal(db!.environment, 'production');
  });

  it('log items become logs; unknown items and attachments are counted, not stored', () => {
    const logs = {
      items: [
        {
          timestamp: 1_765_000_000,
          level: 'warn',
          body: 'slow cart',
          trace_id: TRACE,
          attributes: {
            'sentry.release': { value: 'checkout@1.4.0', type: 'string' },
            ms: { value: 812, type: 'integer' },
          },
        },
      ],
    };
    const env = `{}\n${line({ type: 'log', item_count: 1 })}\n${line(logs)}\n${line({ type: 'future_thing' })}\n{"x":1}\n${line({ type: 'attachment', length: 3 })}\nabc\n`;
    const r = decodeEnvelope(parseEnvelope(Buffer.from(env)), project);
    assert.equal(r.logs.length, 1);
    assert.equal(r.logs[0]!.body, 'slow cart');
    assert.equal(r.logs[0]!.severityText, 'WARN');
    assert.equal(r.logs[0]!.serviceVersion, 'checkout@1.4.0');
    assert.equal(r.logs[0]!.attributes.ms, 812);
    assert.deepEqual(r.dropped, { future_thing: 1, attachment: 1 });
  });

  it("the service is the event's own service tag, else the project; server_name is the host", () => {
    const of = (extra: object) =>
      decodeStoreEvent(Buffer.from(line({ message: 'hi', ...extra })), project).logs[0]!.service;
    assert.equal(of({}), 'checkout');
    assert.equal(of({ server_name: 'cart-api-7d9f-x2' }), 'checkout', 'the SDKs send the host name here by default');
    assert.equal(of({ server_name: 'cart-api', tags: { service: 'cart' } }), 'cart');
    assert.equal(of({ tags: [['service', 'cart']] }), 'cart');
  });

  it('hostile keys stay data: Object.prototype names as levels, __proto__ as a tag, a span data key or an item type', () => {
    const body =
      '{"message":"m","level":"valueOf","tags":{"__proto__":{"http.route":"/x"}},"breadcrumbs":[{"message":"b","level":"constructor"}]}';
    const r = decodeStoreEvent(Buffer.from(body), project);
    assert.equal(r.logs[0]!.severityText, 'ERROR');
    assert.equal(r.logs[1]!.severityText, 'INFO');
    assert.equal(Object.getPrototypeOf(r.logs[0]!.attributes), Object.prototype);
    const env = parseEnvelope(Buffer.from('{}\n{"type":"__proto__"}\n{}\n{"type":"__proto__"}\n{}\n'));
    const d = decodeEnvelope(env, project);
    assert.equal(Object.getPrototypeOf(d.dropped), Object.prototype);
    assert.deepEqual(Object.entries(d.dropped), [['__proto__', 2]]);
  });

  it('an item whose payload is not JSON fails the whole envelope', () => {
    const env = `{}\n${line({ type: 'event' })}\n${line(EVENT)}\n${line({ type: 'event' })}\n{oops\n`;
    assert.throws(() => decodeEnvelope(parseEnvelope(Buffer.from(env)), project), /item 2 \(event\) is not JSON/);
    assert.throws(() => decodeStoreEvent(gzipSync('{}'), project), EnvelopeError);
    assert.throws(() => decodeStoreEvent(Buffer.from('[]'), project), /not a JSON object/);
  });
});

describe('Sentry keys', () => {
  it('reads X-Sentry-Auth and DSNs', () => {
    assert.equal(
      keyFromAuthHeader('Sentry sentry_version=7, sentry_client=sentry.javascript.node/11.12.0, sentry_key=abc123'),
      'abc123',
    );
    assert.equal(keyFromAuthHeader('Sentry sentry_key=k1,sentry_secret=s'), 'k1');
    assert.equal(keyFromAuthHeader('Bearer abc'), null);
    assert.equal(keyFromAuthHeader('Sentry sentry_version=7'), null);
    assert.deepEqual(parseDsn('http://k9@orrery.internal:8470/12'), { key: 'k9', project: '12' });
    assert.equal(parseDsn('http://orrery.internal:8470/12'), null);
    assert.equal(parseDsn('not a url'), null);
  });
});
