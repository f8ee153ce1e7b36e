// Configuration is parsed once; a bad value fails at once and names the setting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, isLoopback, loadConfig } from '../src/config/index.js';
import { TimeArgError, parseTimeArg } from '../src/analysis/index.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.dataDir, './.orrery');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8470);
    assert.equal(c.otlpPort, 4318);
    assert.equal(c.otlpHost, '127.0.0.1');
    assert.equal(c.retention, 7);
    assert.equal(c.auth, 'auto');
    assert.equal(c.databaseUrl, undefined);
  });

  it('reads ORRERY_* variables and lets flags override them', () => {
    const c = loadConfig({ ORRERY_PORT: '9000', ORRERY_RETENTION: '48h', ORRERY_DATA_DIR: '/tmp/x' }, { port: '9100' });
    assert.equal(c.port, 9100);
    assert.equal(c.retention, 2);
    assert.equal(c.dataDir, '/tmp/x');
  });

  it('names the bad setting by the variable or flag it came from', () => {
    assert.throws(
      () => loadConfig({ ORRERY_PORT: 'http' }),
      (e: Error) => e instanceof ConfigError && /ORRERY_PORT:/.test(e.message),
    );
    assert.throws(() => loadConfig({}, { port: '70000' }), /--port:/);
    assert.throws(() => loadConfig({ ORRERY_RETENTION: '7 weeks' }), /ORRERY_RETENTION: "7 weeks" is not a duration/);
    assert.throws(() => loadConfig({ ORRERY_RETENTION: '12h' }), /at least 1d/);
    assert.throws(() => loadConfig({ ORRERY_DATABASE_URL: 'mysql://x' }), /ORRERY_DATABASE_URL: must be a postgres/);
    assert.throws(() => loadConfig({ ORRERY_AUTH: 'none' }), /ORRERY_AUTH:/);
  });

  it('has the memory cap and the bad-token throttle, with 0 turning each off, and names bad values', () => {
    const c = loadConfig({});
    assert.equal(c.maxRssMb, 1024);
    assert.equal(c.authFailureLimit, 20);
    assert.equal(c.authPenaltyMaxSeconds, 60);
    const off = loadConfig({ ORRERY_MAX_RSS_MB: '0', ORRERY_AUTH_FAILURE_LIMIT: '0' });
    assert.equal(off.maxRssMb, 0);
    assert.equal(off.authFailureLimit, 0);
    assert.throws(() => loadConfig({ ORRERY_MAX_RSS_MB: '1g' }), /ORRERY_MAX_RSS_MB:/);
    assert.throws(() => loadConfig({ ORRERY_AUTH_FAILURE_LIMIT: '-1' }), /ORRERY_AUTH_FAILURE_LIMIT:/);
    assert.throws(() => loadConfig({ ORRERY_AUTH_PENALTY_MAX_SECONDS: '0' }), /ORRERY_AUTH_PENALTY_MAX_SECONDS:/);
  });

  it('rejects redaction rules that are not JSON, lack fields, or hold a bad regex, naming the setting and rule', () => {
    assert.throws(
      () => loadConfig({ ORRERY_REDACT_RULES: '[{' }),
      (e: Error) => e instanceof ConfigError && /ORRERY_REDACT_RULES/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ORRERY_REDACT_RULES: '[{"name":"x"}]' }),
      (e: Error) => e instanceof ConfigError && /ORRERY_REDACT_RULES/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ORRERY_REDACT_RULES: '[{"name":"orders","pattern":"ORD-(["}]' }),
      (e: Error) => e instanceof ConfigError && /ORRERY_REDACT_RULES/.test(e.message) && /orders/.test(e.message),
    );
    const ok = loadConfig({
      ORRERY_REDACT_RULES: '[{"name":"orders","pattern":"ORD-[0-9]+","replacement":"[ORDER]"}]',
    });
    assert.equal(ok.redactRules[0]!.name, 'orders');
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) assert.ok(!isLoopback(h), h);
  });
});

describe('time arguments', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('reads ages, ISO timestamps and epoch ms', () => {
    assert.equal(parseTimeArg('15m', now).toISOString(), '2026-11-22T11:45:00.000Z');
    assert.equal(parseTimeArg('2h', now).toISOString(), '2026-11-22T10:00:00.000Z');
    assert.equal(parseTimeArg('7d', now).toISOString(), '2026-11-15T12:00:00.000Z');
    assert.equal(parseTimeArg('2026-11-01T00:00:00Z', now).toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(parseTimeArg('1763812800000', now).toISOString(), '2025-11-22T12:00:00.000Z');
  });
  it('refuses anything else with an example', () => {
    assert.throws(
      () => parseTimeArg('yesterday', now),
      (e: Error) => e instanceof TimeArgError && /15m, 2h, 7d/.test(e.message),
    );
  });
});
