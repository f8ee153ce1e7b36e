// The real @sentry/node SDK pointed at a running `orrery up` by a DSN from `orrery sentry
// project create`: an exception lands as an error group with its in-app frames (this repository's
// own file and function), a transaction lands as spans, and the release lands as an inferred deploy.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as Sentry from '@sentry/node';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Deploy, ErrorGroupList, ErrorGroupShow, LogRow, SpanRow } from '../src/model/index.js';
import { checkout } from './fixtures/sentry/checkout.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

// The project names the service (docs/sentry.md); server_name, the host, does not, so errors and
// spans go to one service whatever the SDK sends there.
const SERVICE = 'sentry-e2e';
const RELEASE = 'sentry-e2e@3.1.0';

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('@sentry/node against a running Orrery', () => {
  let server: ServerProcess;
  let dataDir: string;
  let dsn: string;

  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir, env: { ORRERY_ANALYSIS_FLUSH_MS: '300' } });
    const made = await runCli(['--server', server.apiUrl, 'sentry', 'project', 'create', 'sentry-e2e', '--json']);
    assert.equal(made.code, 0, made.stderr);
    dsn = JSON.parse(made.stdout).dsn;
    assert.match(dsn, /^http:\/\/[0-9a-f]{64}@127\.0\.0\.1:\d+\/\d+$/);
    Sentry.init({
      dsn,
      release: RELEASE,
      environment: 'production',
      tracesSampleRate: 1,
    });
  });
  after(async () => {
    await Sentry.close(2000).catch(() => {});
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("an exception becomes an error group whose in-app frames are this repository's code", async () => {
    Sentry.setUser({ id: 'shopper-17' });
    try {
      checkout(undefined);
    } catch (err) {
      Sentry.captureException(err);
    }
    assert.ok(await Sentry.flush(10_000), 'the SDK delivered its envelope');
    const group = await until('the error group', async () => {
      const list = await server.getJson<ErrorGroupList>(`/api/errors?service=${SERVICE}&since=1h`);
      return list.errors.find((e) => e.type === 'TypeError');
    });
    assert.equal(group.message, 'cart has no total to discount');
    assert.equal(group.firstRelease, RELEASE);
    const { error } = await server.getJson<ErrorGroupShow>(`/api/errors/${group.fingerprint}?since=1h`);
    const inApp = error.frames.filter((f) => f.inApp);
    assert.ok(inApp.length >= 2, JSON.stringify(error.frames));
    assert.equal(inApp[0]!.function, 'applyDiscount');
    assert.match(inApp[0]!.file, /test\/fixtures\/sentry\/checkout\.ts$/);
    assert.equal(inApp[0]!.line, 4);
    assert.equal(inApp[1]!.function, 'checkout');
    assert.ok(
      error.frames.some((f) => !f.inApp),
      'frames of the runtime and dependencies are kept and marked not in-app',
    );
    const logs = await server.getJson<{ logs: LogRow[] }>(`/api/logs?service=${SERVICE}&since=1h&grep=discount`);
    assert.equal(logs.logs[0]!.userId, 'shopper-17');
    assert.equal(logs.logs[0]!.environment, 'production');
  });

  it('a user known by email is stored as the keyed hash telemetry uses, never the address', async () => {
    Sentry.setUser({ email: 'ana.pereira@example.com' });
    Sentry.captureMessage('coupon expired for this shopper', 'warning');
    assert.ok(await Sentry.flush(10_000));
    const log = await until('the message', async () => {
      const res = await server.getJson<{ logs: LogRow[] }>(`/api/logs?service=${SERVICE}&since=1h&grep=coupon`);
      return res.logs[0];
    });
    assert.match(String(log.userId), /^h:/);
    assert.equal(JSON.stringify(log).includes('ana.pereira@example.com'), false);
    assert.equal(log.severityText, 'WARN');
    Sentry.setUser(null);
  });

  it('a transaction and its child span land as spans of one trace', async () => {
    let traceId = '';
    await Sentry.startSpan({ name: 'GET /checkout/:id', op: 'http.server' }, async (root) => {
      traceId = root.spanContext().traceId;
      await Sentry.startSpan({ name: 'SELECT cart', op: 'db' }, async () => {
        await new Promise((r) => setTimeout(r, 20));
      });
    });
    assert.ok(await Sentry.flush(10_000));
    const spans = await until('the spans', async () => {
      const res = await server.getJson<{ spans: SpanRow[] }>(`/api/spans?trace=${traceId}&since=1h`);
      return res.spans.length >= 2 ? res.spans : null;
    });
    const root = spans.find((s) => s.name === 'GET /checkout/:id')!;
    const child = spans.find((s) => s.name === 'SELECT cart')!;
    assert.ok(root && child, JSON.stringify(spans.map((s) => s.name)));
    assert.equal(child.parentSpanId, root.spanId);
    assert.equal(root.service, SERVICE);
    assert.equal(root.serviceVersion, RELEASE);
    assert.ok(child.durationNs >= 15e6, `child lasted ${child.durationNs} ns`);
  });

  it('the release lands as an inferred deploy of the service', async () => {
    const deploy = await until('the deploy', async () => {
      const res = await server.getJson<{ deploys: Deploy[] }>(`/api/deploys?service=${SERVICE}`);
      return res.deploys.find((d) => d.version === RELEASE);
    });
    assert.equal(deploy.inferred, true);
    assert.equal(deploy.environment, 'production');
  });
});
