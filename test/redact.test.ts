// The redact transform: a fixture matrix of log lines (test/fixtures/redact/cases.txt, each
// with its exact expected output and the rules that fire, negatives included), then record
// batches, secret-keyed attributes, email user ids as keyed hashes, and configuration.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { keyedHash, redactEmails } from '../src/analysis/index.js';
import { BUILTIN_RULE_NAMES, REDACT_ALGORITHM, compileRedactor, isSecretKey } from '../src/ingest/transforms/index.js';
import type { Attributes, LogRecord, Scope } from '../src/model/index.js';
import { logRecord, metricPoint, span } from './helpers/records.js';

const KEY = 'test-key-0123456789';

interface Case {
  name: string;
  input: string;
  output: string;
  rules: string[];
  line: number;
}

/** Parses cases.txt: `## name:`, `in:`, `out:` (or `(unchanged)`), optional `rules:`; `⏎` is a newline. */
function readCases(): Case[] {
  const text = readFileSync(new URL('./fixtures/redact/cases.txt', import.meta.url), 'utf8');
  const cases: Case[] = [];
  let cur: Partial<Case> | null = null;
  const value = (line: string, tag: string) =>
    line.slice(tag.length).replace(/^\s+/, '').replace(/\s+$/, '').replaceAll('⏎', '\n');
  const lines = text.split('\n');
  const finish = () => {
    if (!cur) return;
    if (cur.input === undefined || cur.output === undefined)
      throw new Error(`cases.txt:${cur.line}: case "${cur.name}" needs in: and out:`);
    cases.push({ rules: [], ...cur } as Case);
  };
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('## name:')) {
      finish();
      cur = { name: value(line, '## name:'), line: i + 1 };
    } else if (line.startsWith('in:')) cur!.input = value(line, 'in:');
    else if (line.startsWith('out:')) {
      const out = value(line, 'out:');
      cur!.output = out === '(unchanged)' ? cur!.input! : out;
    } else if (line.startsWith('rules:'))
      cur!.rules = value(line, 'rules:')
        .split(/\s*,\s*/)
        .filter(Boolean);
    else if (line.trim() !== '' && !line.startsWith('#'))
      throw new Error(`cases.txt:${i + 1}: unexpected line ${JSON.stringify(line)}`);
  });
  finish();
  return cases;
}

const cases = readCases();
const freshScope = (): Scope => ({ name: 'lib', version: '1', attributes: {} });
const oneLog = (body: string): LogRecord =>
  logRecord({
    body,
    attributes: {},
    resource: { 'service.name': 'cart' },
    scope: freshScope(),
    userId: null,
    accountId: null,
  });

describe('redact: fixture matrix (cases.txt)', () => {
  it('has enough cases, negatives included', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    assert.ok(cases.filter((c) => c.input === c.output).length >= 15, 'negatives');
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
  });

  for (const c of cases) {
    it(c.name, () => {
      const r = compileRedactor({ hashKey: KEY });
      assert.equal(r.text(c.input), c.output);
      // As a log body: the same output, and exactly the rules named in the fixture.
      const rec = oneLog(c.input);
      const stats = r.logs([rec]);
      assert.equal(rec.body, c.output);
      assert.deepEqual(Object.keys(stats.byRule).sort(), [...c.rules].sort(), 'rules that fired');
      assert.equal(stats.redacted, c.input === c.output ? 0 : 1);
      // Redacting twice changes nothing more.
      assert.equal(r.text(c.output), c.output, 'idempotent');
    });
  }
});

describe('redact: record batches', () => {
  it('logs: body, nested attributes, resource and scope, user ids', () => {
    const resource: Attributes = { 'service.name': 'cart', 'deployment.owner': 'ops@example.com' };
    const scope = freshScope();
    scope.attributes['scope.contact'] = 'lib@example.com';
    const a = logRecord({
      body: 'payment failed for jane@example.com card 4111 1111 1111 1111',
      attributes: {
        'http.url': 'https://api.example.com/v1/pay?token=abc123def&x=1',
        nested: { inner: ['ok', 'call bob@example.com', { deeper: 'postgres://u:pw1@db/x' }], count: 3 },
        flag: true,
        empty: null,
        n: 42,
      },
      resource,
      scope,
      userId: 'Jane@Example.com',
      accountId: 'acct-9',
    });
    const b = logRecord({
      body: 'nothing to see',
      attributes: { 'code.function': 'pay' },
      resource,
      scope,
      userId: 'u-1',
      accountId: null,
    });
    const stats = compileRedactor({ hashKey: KEY }).logs([a, b]);

    assert.equal(a.body, 'payment failed for [EMAIL] card [CARD]');
    assert.equal(a.attributes['http.url'], 'https://api.example.com/v1/pay?token=[REDACTED]&x=1');
    assert.deepEqual(a.attributes.nested, {
      inner: ['ok', 'call [EMAIL]', { deeper: 'postgres://u:[REDACTED]@db/x' }],
      count: 3,
    });
    assert.equal(a.attributes.flag, true);
    assert.equal(a.attributes.n, 42);
    assert.equal(resource['deployment.owner'], '[EMAIL]');
    assert.equal(resource['service.name'], 'cart');
    assert.equal(scope.attributes['scope.contact'], '[EMAIL]');
    assert.equal(a.userId, keyedHash(KEY, 'jane@example.com'));
    assert.equal(a.accountId, 'acct-9');
    assert.equal(b.body, 'nothing to see');
    assert.equal(b.userId, 'u-1');
    // body, http.url, two nested strings, resource (once: it is shared), scope, userId.
    assert.equal(stats.redacted, 7);
    assert.deepEqual(stats.byRule, { email: 4, card: 1, api_key: 1, url_password: 1, email_hash: 1 });
  });

  it('spans: status message, attributes, event attributes with the exception, links, resource', () => {
    const s = span({
      statusMessage: 'charge failed for jane@example.com',
      attributes: {
        'url.full': 'https://u:hunter2@api.example.com/pay',
        'db.statement': "UPDATE users SET password='p4ss' WHERE email='bob@example.com'",
        'http.route': '/pay',
      },
      events: [
        {
          timeUnixNano: 1,
          name: 'exception',
          attributes: {
            'exception.type': 'CardError',
            'exception.message': 'card 5555555555554444 declined',
            'exception.stacktrace': 'CardError: declined for bob@example.com\n    at charge (pay.ts:12:5)',
          },
        },
      ],
      links: [{ traceId: 't', spanId: 's', attributes: { note: 'from ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' } }],
      resource: { 'service.name': 'pay', 'host.name': 'node-1' },
      scope: freshScope(),
    });
    const name = s.name;
    const stats = compileRedactor({ hashKey: KEY }).spans([s]);
    assert.equal(s.name, name, 'a clean span name stays as it is');
    assert.equal(s.statusMessage, 'charge failed for [EMAIL]');
    assert.equal(s.attributes['url.full'], 'https://u:[REDACTED]@api.example.com/pay');
    assert.equal(s.attributes['db.statement'], "UPDATE users SET password='[REDACTED]' WHERE email='[EMAIL]'");
    assert.equal(s.attributes['http.route'], '/pay');
    assert.equal(s.events[0]!.attributes['exception.message'], 'card [CARD] declined');
    assert.equal(
      s.events[0]!.attributes['exception.stacktrace'],
      'CardError: declined for [EMAIL]\n    at charge (pay.ts:12:5)',
    );
    assert.equal(s.events[0]!.attributes['exception.type'], 'CardError');
    assert.equal(s.links[0]!.attributes.note, 'from [REDACTED]');
    assert.equal(stats.redacted, 6);
  });

  it('metrics: point attributes and resource', () => {
    const p = metricPoint({
      attributes: { 'http.route': '/cart', 'user.email': 'jane@example.com', 'client.address': '10.0.0.7' },
      resource: { 'service.name': 'cart', 'k8s.pod.name': 'cart-7d9f', 'service.owner': 'team@example.com' },
      scope: freshScope(),
    });
    const stats = compileRedactor({ hashKey: KEY }).metrics([p]);
    assert.equal(p.attributes['user.email'], keyedHash(KEY, 'jane@example.com'));
    assert.equal(p.attributes['client.address'], '10.0.0.7');
    assert.equal(p.resource['service.owner'], '[EMAIL]');
    assert.equal(p.resource['k8s.pod.name'], 'cart-7d9f');
    assert.equal(stats.redacted, 2);
  });

  it('a second pass over redacted records changes nothing', () => {
    const r = compileRedactor({ hashKey: KEY });
    const recs = cases.map((c) => oneLog(c.input));
    for (const [i, rec] of recs.entries()) rec.userId = i % 2 ? 'jane@example.com' : 'u-1';
    assert.ok(r.logs(recs).redacted > 0);
    assert.deepEqual(r.logs(recs), { redacted: 0, byRule: {} });
  });

  it('stays linear on hostile lines (100 kB each)', () => {
    const r = compileRedactor({ hashKey: KEY });
    const n = 100_000;
    const hostile = [
      'a://b:c'.repeat(n / 7),
      'a@' + 'a-a.'.repeat(n / 4) + '-',
      '4111 '.repeat(n / 5),
      'Cookie: '.repeat(n / 8),
      '"password":"'.repeat(n / 12),
      'password":'.repeat(n / 10),
      'Basic dXNlcjpwYXNz '.repeat(n / 19),
      "'token': ".repeat(n / 9),
    ];
    const t0 = performance.now();
    for (const s of hostile) r.text(s);
    const ms = performance.now() - t0;
    assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  });

  it('an empty batch and clean records report nothing', () => {
    const r = compileRedactor({ hashKey: KEY });
    assert.deepEqual(r.logs([]), { redacted: 0, byRule: {} });
    const rec = oneLog('GET /cart/42 200 12ms');
    assert.deepEqual(r.logs([rec]), { redacted: 0, byRule: {} });
  });
});

describe('redact: span and event names, lifted fields', () => {
  it('span names go through the text rules, and stay one name per endpoint', () => {
    const named = (name: string) => span({ name, resource: { 'service.name': 'users' }, scope: freshScope() });
    const spans = [
      named('GET /users/alice@example.com'),
      named('GET /users/bob@example.com'),
      named('GET /reset?token=t0k3nAbc123&lang=en'),
      named('GET /reset?token=other99Xyz&lang=en'),
      named('POST /session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz'),
      named('GET /cart/:id'),
    ];
    const stats = compileRedactor({ hashKey: KEY }).spans(spans);
    assert.deepEqual(
      spans.map((s) => s.name),
      [
        'GET /users/[EMAIL]',
        'GET /users/[EMAIL]',
        'GET /reset?token=[REDACTED]&lang=en',
        'GET /reset?token=[REDACTED]&lang=en',
        'POST /session [JWT]',
        'GET /cart/:id',
      ],
    );
    assert.equal(stats.redacted, 5);
    assert.deepEqual(stats.byRule, { email: 2, api_key: 2, jwt: 1 });
  });

  it('span event names and log event names too', () => {
    const s = span({
      events: [
        { timeUnixNano: 1, name: 'retry for jane@example.com', attributes: {} },
        { timeUnixNano: 2, name: 'exception', attributes: {} },
      ],
      scope: freshScope(),
    });
    const l = logRecord({ eventName: 'login Bearer abcDEF123456789xyz', scope: freshScope() });
    const r = compileRedactor({ hashKey: KEY });
    r.spans([s]);
    r.logs([l]);
    assert.deepEqual(
      s.events.map((e) => e.name),
      ['retry for [EMAIL]', 'exception'],
    );
    assert.equal(l.eventName, 'login Bearer [REDACTED]');
  });

  it('fields lifted from attributes (service, version, environment, route) read as the attributes they came from', () => {
    const resource: Attributes = {
      'service.name': 'cart',
      'service.version': '1.4.0+ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
      'deployment.environment.name': 'staging/jane@example.com',
    };
    const s = span({
      serviceVersion: resource['service.version'] as string,
      environment: resource['deployment.environment.name'] as string,
      httpRoute: '/users/jane@example.com',
      attributes: { 'http.route': '/users/jane@example.com' },
      resource,
      scope: freshScope(),
    });
    const l = logRecord({
      serviceVersion: s.serviceVersion,
      environment: s.environment,
      resource,
      scope: freshScope(),
    });
    const r = compileRedactor({ hashKey: KEY });
    r.spans([s]);
    r.logs([l]);
    assert.equal(s.serviceVersion, '1.4.0+[REDACTED]');
    assert.equal(s.environment, 'staging/[EMAIL]');
    assert.equal(s.httpRoute, '/users/[EMAIL]');
    assert.equal(s.serviceVersion, resource['service.version']);
    assert.equal(s.environment, resource['deployment.environment.name']);
    assert.equal(s.httpRoute, s.attributes['http.route']);
    assert.equal(l.serviceVersion, '1.4.0+[REDACTED]');
    assert.equal(l.environment, 'staging/[EMAIL]');
  });
});

describe('redact: plain maps and ticket text', () => {
  it('attributes(): secret-named keys become [REDACTED], text rules on every other string, nested too', () => {
    const attrs: Attributes = {
      pipeline: 'https://ci.example.com/run/42?token=abc123def',
      'db.password': 'hunter2',
      deployToken: 'xyz',
      by: 'jane@example.com',
      'user.id': 'jane@example.com',
      notes: ['card 4111 1111 1111 1111', { aws: 'AKIAIOSFODNN7EXAMPLE' }],
      replicas: 3,
      canary: false,
      none: null,
      ref: 'v1.4.0',
    };
    const stats = compileRedactor({ hashKey: KEY }).attributes(attrs);
    assert.deepEqual(attrs, {
      pipeline: 'https://ci.example.com/run/42?token=[REDACTED]',
      'db.password': '[REDACTED]',
      deployToken: '[REDACTED]',
      by: '[EMAIL]',
      'user.id': keyedHash(KEY, 'jane@example.com'),
      notes: ['card [CARD]', { aws: '[REDACTED]' }],
      replicas: 3,
      canary: false,
      none: null,
      ref: 'v1.4.0',
    });
    assert.equal(stats.redacted, 7);
    assert.deepEqual(stats.byRule, { api_key: 2, secret_attribute: 2, email: 1, email_hash: 1, card: 1 });
  });

  it("text(s, { emails: 'mention' }): emails become the ticket mention form, every other rule as usual", () => {
    const r = compileRedactor({ hashKey: KEY });
    const s = 'jane@example.com cannot pay with 4111 1111 1111 1111, Authorization: Bearer abcDEF123456789xyz';
    const emailOnly = 'ask jane@example.com or Bob@Example.com';
    assert.equal(r.text(emailOnly, { emails: 'mention' }), redactEmails(emailOnly, KEY));
    assert.equal(
      r.text(s, { emails: 'mention' }),
      `[email ${keyedHash(KEY, 'jane@example.com')}] cannot pay with [CARD], Authorization: Bearer [REDACTED]`,
    );
    assert.equal(r.text(s), '[EMAIL] cannot pay with [CARD], Authorization: Bearer [REDACTED]');
    // A URL password is not mistaken for an email.
    assert.equal(
      r.text('see https://ops:s3cret@db.example.com/x', { emails: 'mention' }),
      'see https://ops:[REDACTED]@db.example.com/x',
    );
  });
});

describe('redact: secret-keyed attributes', () => {
  it('replaces the whole value when the last key segment names a secret', () => {
    const attrs: Attributes = {
      'http.request.header.authorization': ['Bearer abc'],
      'http.request.header.cookie': 'sid=1',
      'http.response.header.set-cookie': ['a=b', 'c=d'],
      'http.request.header.x-api-key': 'k-1',
      'db.password': 'hunter2',
      PASSWORD: 'x',
      accessToken: 'ya29.x',
      client_secret: 'shh',
      'aws.secret_access_key': 'wJal',
      'tls.private_key': '-----BEGIN PRIVATE KEY-----',
      'app.credentials': { user: 'u', pass: 'p' },
      'auth.token': 12345,
      'config.api_key': '',
      // not secrets
      'gen_ai.usage.input_tokens': 1200,
      token_count: '3',
      'cache.key': 'user:42',
      'session.id': 'abc',
      'secret.name': 'db-creds',
      'http.request.header.content-type': 'application/json',
    };
    const rec = logRecord({
      body: 'x',
      attributes: attrs,
      resource: {},
      scope: freshScope(),
      userId: null,
      accountId: null,
    });
    const stats = compileRedactor({ hashKey: KEY }).logs([rec]);
    for (const k of [
      'http.request.header.authorization',
      'http.request.header.cookie',
      'http.response.header.set-cookie',
      'http.request.header.x-api-key',
      'db.password',
      'PASSWORD',
      'accessToken',
      'client_secret',
      'aws.secret_access_key',
      'tls.private_key',
      'app.credentials',
      'auth.token',
    ]) {
      assert.equal(attrs[k], '[REDACTED]', k);
    }
    assert.equal(attrs['config.api_key'], '', 'an empty value stays empty');
    assert.equal(attrs['gen_ai.usage.input_tokens'], 1200);
    assert.equal(attrs.token_count, '3');
    assert.equal(attrs['cache.key'], 'user:42');
    assert.equal(attrs['session.id'], 'abc');
    assert.equal(attrs['secret.name'], 'db-creds');
    assert.equal(attrs['http.request.header.content-type'], 'application/json');
    assert.equal(stats.byRule.secret_attribute, 12);
    assert.equal(stats.redacted, 12);
  });

  it('isSecretKey reads the last segment, case and separators aside', () => {
    assert.ok(isSecretKey('http.request.header.Authorization'));
    assert.ok(isSecretKey('x-api-key'));
    assert.ok(isSecretKey('refreshToken'));
    assert.ok(!isSecretKey('password.policy'));
    assert.ok(!isSecretKey('tokenizer'));
  });
});

describe('redact: emails as user ids become a stable keyed hash', () => {
  it('equals keyedHash(key, email), whatever the case and surrounding whitespace', () => {
    const want = keyedHash(KEY, 'jane@example.com');
    const r = compileRedactor({ hashKey: KEY });
    const recs = ['jane@example.com', ' Jane@Example.COM ', 'JANE@EXAMPLE.COM', 'jane%40example.com'].map((u) =>
      logRecord({
        body: 'x',
        userId: u,
        accountId: u,
        attributes: { 'enduser.id': u, 'user.id': u },
        resource: {},
        scope: freshScope(),
      }),
    );
    r.logs(recs);
    for (const rec of recs) {
      assert.equal(rec.userId, want);
      assert.equal(rec.accountId, want);
      assert.equal(rec.attributes['enduser.id'], want, 'the attribute the user id came from hashes the same');
      assert.equal(rec.attributes['user.id'], want);
    }
    // Another redactor with the same key (another process, a restart) hashes the same; another key does not.
    const again = logRecord({ body: 'x', userId: 'jane@example.com', resource: {}, scope: freshScope() });
    compileRedactor({ hashKey: KEY }).logs([again]);
    assert.equal(again.userId, want);
    const other = logRecord({ body: 'x', userId: 'jane@example.com', resource: {}, scope: freshScope() });
    compileRedactor({ hashKey: 'another-key' }).logs([other]);
    assert.notEqual(other.userId, want);
  });

  it('leaves non-email user ids as they are, and hashes a resource-level user id', () => {
    const resource: Attributes = { 'service.name': 'cart', 'enduser.id': 'ops@example.com' };
    const a = logRecord({
      body: 'x',
      userId: 'u-123',
      accountId: 'acct-9',
      attributes: { 'enduser.id': 'u-123' },
      resource,
      scope: freshScope(),
    });
    const b = logRecord({ body: 'x', userId: 'ops@example.com', attributes: {}, resource, scope: freshScope() });
    const stats = compileRedactor({ hashKey: KEY }).logs([a, b]);
    assert.equal(a.userId, 'u-123');
    assert.equal(a.accountId, 'acct-9');
    assert.equal(a.attributes['enduser.id'], 'u-123');
    assert.equal(b.userId, keyedHash(KEY, 'ops@example.com'));
    assert.equal(resource['enduser.id'], b.userId);
    assert.equal(stats.byRule.email_hash, 2);
  });

  it('an already hashed user id stays as it is', () => {
    const h = keyedHash(KEY, 'jane@example.com');
    const rec = logRecord({ body: 'x', userId: h, resource: {}, scope: freshScope() });
    assert.equal(compileRedactor({ hashKey: KEY }).logs([rec]).redacted, 0);
    assert.equal(rec.userId, h);
  });
});

describe('redact: configuration', () => {
  it('names its algorithm and built-in rules', () => {
    assert.equal(REDACT_ALGORITHM, 'redact@2');
    assert.deepEqual([...BUILTIN_RULE_NAMES].sort(), [
      'api_key',
      'bearer',
      'card',
      'email',
      'jwt',
      'secret_attribute',
      'url_password',
    ]);
  });

  it('disabling a built-in keeps the others', () => {
    const r = compileRedactor({ hashKey: KEY, disable: ['card'] });
    assert.equal(r.text('card 4111 1111 1111 1111 for jane@example.com'), 'card 4111 1111 1111 1111 for [EMAIL]');
    const attrs: Attributes = { 'db.password': 'x', note: 'password=y' };
    compileRedactor({ hashKey: KEY, disable: ['secret_attribute'] }).logs([
      logRecord({ body: '', attributes: attrs, resource: {}, scope: freshScope() }),
    ]);
    assert.deepEqual(attrs, { 'db.password': 'x', note: 'password=[REDACTED]' });
  });

  it('disabling email keeps emails, user ids included', () => {
    const rec = logRecord({
      body: 'hi jane@example.com',
      userId: 'jane@example.com',
      resource: {},
      scope: freshScope(),
    });
    compileRedactor({ hashKey: KEY, disable: ['email'] }).logs([rec]);
    assert.equal(rec.body, 'hi jane@example.com');
    assert.equal(rec.userId, 'jane@example.com');
  });

  it('adds a custom rule from a spec, with groups in the replacement', () => {
    const r = compileRedactor({
      hashKey: KEY,
      rules: [
        { name: 'order_id', pattern: String.raw`\bORD-(\d{2})\d{4}\b`, replacement: 'ORD-$1xxxx' },
        { name: 'ssn', pattern: String.raw`\b\d{3}-\d{2}-\d{4}\b` },
        { name: 'internal_host', pattern: 'DB-(?<n>\\d+)\\.CORP', flags: 'i', replacement: 'db-$<n>.[HOST]' },
      ],
    });
    assert.equal(r.text('refund ORD-123456 for ssn 123-45-6789'), 'refund ORD-12xxxx for ssn [REDACTED]');
    assert.equal(r.text('to db-7.corp'), 'to db-7.[HOST]');
    const rec = oneLog('refund ORD-123456 and ORD-654321');
    assert.deepEqual(r.logs([rec]).byRule, { order_id: 2 });
    // Custom rules also run on short strings that the built-ins skip.
    assert.equal(
      compileRedactor({ hashKey: KEY, rules: [{ name: 'pin', pattern: 'PIN\\d' }] }).text('PIN4'),
      '[REDACTED]',
    );
  });

  it('takes compiled rules with a validator', () => {
    const r = compileRedactor({
      hashKey: KEY,
      rules: [{ name: 'even', pattern: /\b\d+\b/g, replacement: '[EVEN]', validate: (m) => Number(m) % 2 === 0 }],
    });
    assert.equal(r.text('values 10 11 12'), 'values [EVEN] 11 [EVEN]');
  });

  it('a bad custom regex is an Error naming the rule', () => {
    assert.throws(
      () => compileRedactor({ hashKey: KEY, rules: [{ name: 'broken_rule', pattern: '(unclosed' }] }),
      (err: Error) => {
        assert.match(err.message, /redaction rule "broken_rule": invalid pattern \/\(unclosed\//);
        return true;
      },
    );
    assert.throws(
      () => compileRedactor({ hashKey: KEY, rules: [{ name: 'bad_flags', pattern: 'x', flags: 'q' }] }),
      /"bad_flags"/,
    );
  });

  it('rejects empty-matching patterns, duplicate or built-in names, unknown disables and a missing key', () => {
    assert.throws(
      () => compileRedactor({ hashKey: KEY, rules: [{ name: 'greedy', pattern: 'x*' }] }),
      /"greedy".*empty string/,
    );
    assert.throws(
      () =>
        compileRedactor({
          hashKey: KEY,
          rules: [
            { name: 'a', pattern: 'x' },
            { name: 'a', pattern: 'y' },
          ],
        }),
      /"a": defined twice/,
    );
    assert.throws(
      () => compileRedactor({ hashKey: KEY, rules: [{ name: 'email', pattern: 'x' }] }),
      /"email": the name of a built-in/,
    );
    assert.throws(() => compileRedactor({ hashKey: KEY, disable: ['cards'] }), /unknown built-in rule "cards"/);
    assert.throws(() => compileRedactor({ hashKey: '' }), /hashKey/);
    assert.throws(() => compileRedactor({ hashKey: KEY, userIdEmails: 'clear' as 'hash' }), /userIdEmails/);
  });
});
