// Deploy verification end to end on a real store behind `orrery up`: three deploys seeded with
// their minute rows (one unchanged, one whose new version fails with a new error group, one with
// too little traffic), verified through GET /api/deploys/:id/verification and `orrery deploy
// verify`, whose exit codes a pipeline gates on: 0 healthy, 4 regressed, 5 inconclusive, 2 for
// a bad or unknown id, 3 when the server is unreachable; the stored verdict then shows in the list.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Deploy, DeployVerification } from '../src/model/index.js';
import { openStore, recordDeploy } from '../src/store/index.js';
import { type SeedRows, seedAnalysis } from './helpers/analysis-seed.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

const MIN = 60_000;

describe('deploy verification: API and CLI exit codes', () => {
  let server: ServerProcess;
  let dataDir: string;
  const ids: Record<'same' | 'broken' | 'tiny', number> = { same: 0, broken: 0, tiny: 0 };
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl]);

  before(async () => {
    dataDir = await freshDataDir();
    const store = await openStore({ dataDir, retentionDays: 7 });
    // Deployed 13 minutes ago: the 10-minute watch window has complete data.
    const deployedAt = new Date(Math.floor(Date.now() / MIN) * MIN - 13 * MIN + 20_000);
    const m0 = Math.floor(deployedAt.getTime() / MIN) * MIN;
    const rows: SeedRows = {
      error_group: [
        {
          service: 'pay',
          algorithm: 'errors@1',
          fingerprint: 'fp-new',
          type: 'TypeError',
          message: 'total is undefined',
        },
      ],
      red_minute: [],
      error_minute: [],
    };
    for (let i = -30; i <= 12; i++) {
      const minute = new Date(m0 + i * MIN);
      const version = i >= 0 ? '2.0.0' : '1.0.0';
      for (const service of ['cart', 'pay']) {
        const broken = service === 'pay' && i >= 0;
        rows.red_minute!.push({
          minute,
          service,
          endpoint: 'POST /x',
          version,
          requests: 120,
          errors: broken ? 30 : 1 + (i & 1),
          latency: [
            [40, 100],
            [60, 20],
          ],
        });
        if (broken) rows.error_minute!.push({ minute, service, fingerprint: 'fp-new', version, count: 29 });
      }
      rows.red_minute!.push({
        minute,
        service: 'tiny',
        endpoint: 'GET /',
        version,
        requests: 2,
        errors: 0,
        latency: [[5, 2]],
      });
    }
    await seedAnalysis(store.db, rows);
    for (const service of ['cart', 'pay', 'tiny'] as const) {
      const { deploy } = await recordDeploy(store.db, {
        service,
        environment: '',
        version: '2.0.0',
        commitSha: null,
        deployedAt,
        source: 'test',
        attributes: {},
      });
      ids[service === 'cart' ? 'same' : service === 'pay' ? 'broken' : 'tiny'] = deploy.id;
    }
    await store.close();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /api/deploys/:id/verification answers the verdict with a number a web metric reads; 404 for an unknown id', async () => {
    const res = await fetch(`${server.apiUrl}/api/deploys/${ids.broken}/verification`);
    assert.equal(res.status, 200);
    const v = (await res.json()) as DeployVerification;
    assert.equal(v.verdict, 'regressed');
    assert.equal(v.regressed, 1);
    assert.equal(v.decided, 1);
    assert.equal(v.algorithm, 'deploy-verify@2');
    assert.equal(v.previousVersion, '1.0.0');
    assert.ok(v.decidedAt && Date.parse(v.decidedAt) - Date.parse(v.deployedAt) <= 3 * MIN, v.decidedAt ?? '');
    const group = v.findings.find((f) => f.kind === 'new_error_group');
    assert.ok(group, JSON.stringify(v.findings.map((f) => f.title)));
    assert.equal(group.evidence[0]?.ref, 'fp-new');
    assert.match(group.evidence[0]?.query ?? '', /^\/api\/errors\/fp-new\?service=pay/);

    const gate = await fetch(`${server.apiUrl}/api/deploys/latest/verification?service=pay&failOn=regressed`);
    assert.equal(gate.status, 409);
    const fine = await fetch(`${server.apiUrl}/api/deploys/latest/verification?service=cart&failOn=regressed`);
    assert.equal(fine.status, 200);
    assert.equal(((await fine.json()) as DeployVerification).regressed, 0);

    assert.equal((await fetch(`${server.apiUrl}/api/deploys/999999/verification`)).status, 404);
    assert.equal((await fetch(`${server.apiUrl}/api/deploys/abc/verification`)).status, 400);
    assert.equal((await fetch(`${server.apiUrl}/api/deploys/latest/verification?service=nope`)).status, 404);
  });

  it('orrery deploy verify exits 0 healthy, 4 regressed, 5 inconclusive', async () => {
    const healthy = await cli('deploy', 'verify', String(ids.same));
    assert.equal(healthy.code, 0, healthy.stderr);
    assert.match(healthy.stdout, /verdict: healthy/);

    const regressed = await cli('deploy', 'verify', String(ids.broken), '--json');
    assert.equal(regressed.code, 4, regressed.stderr);
    assert.equal((JSON.parse(regressed.stdout) as DeployVerification).verdict, 'regressed');
    assert.match(regressed.stderr, /regressed/);

    const tiny = await cli('deploy', 'verify', String(ids.tiny), '--wait', '--timeout', '30s');
    assert.equal(tiny.code, 5, tiny.stderr);
    assert.match(tiny.stdout, /too little traffic/);
  });

  it('exits 2 for a bad or unknown id or flag, 3 for an unreachable server', async () => {
    assert.equal((await cli('deploy', 'verify', 'x1')).code, 2);
    assert.equal((await cli('deploy', 'verify', '999999')).code, 2);
    assert.equal((await cli('deploy', 'verify', '1', '--wait', '--timeout', 'soon')).code, 2);
    const down = await runCli(['deploy', 'verify', '1', '--server', 'http://127.0.0.1:9']);
    assert.equal(down.code, 3);
  });

  it('stores the decided verdicts: listing deploys shows them', async () => {
    const res = await fetch(`${server.apiUrl}/api/deploys`);
    const { deploys } = (await res.json()) as { deploys: Deploy[] };
    const by = new Map(deploys.map((d) => [d.id, d.verdict?.verdict ?? null]));
    assert.equal(by.get(ids.same), 'healthy');
    assert.equal(by.get(ids.broken), 'regressed');
    assert.equal(by.get(ids.tiny), 'inconclusive');
    const list = await cli('deploy', 'list');
    assert.match(list.stdout, /regressed/);
  });
});
