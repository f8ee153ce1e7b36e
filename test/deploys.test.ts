// Deploys through the API, in process: recording, listing, a recorded deploy overriding an
// inferred one, previous-head pointers when a deploy lands between two others, the commit
// range expanded from commit rows, inference from OTLP batches, and 400s naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommitRange, Deploy } from '../src/model/index.js';
import { DeployInference, commitOf, scanBatch } from '../src/workflows/index.js';
import { logRecord, metricPoint, span } from './helpers/records.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const sha = (ch: string) => ch.repeat(40);
const A = sha('a');
const B = sha('b');
const C = sha('c');
const D = sha('d');
const E = sha('e');
const M = sha('f'); // the merge

/** An OTLP/JSON traces request: one resource, one span per start time (ms). */
function traces(resource: Record<string, string>, startsMs: number[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: startsMs.map((ms, i) => ({
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: 'GET /',
              kind: 2,
              startTimeUnixNano: String(BigInt(ms) * 1_000_000n + 123_456n),
              endTimeUnixNano: String(BigInt(ms + 5) * 1_000_000n),
            })),
          },
        ],
      },
    ],
  });
}

describe('deploys API', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const post = (payload: unknown) =>
    o.server.api.inject({ method: 'POST', url: '/api/deploys', payload: payload as object });
  const get = (url: string) => o.server.api.inject({ method: 'GET', url });
  const ingest = async (resource: Record<string, string>, startsMs: number[]) => {
    const res = await o.server.otlp.inject({
      method: 'POST',
      url: '/v1/traces',
      payload: traces(resource, startsMs),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  const deploysOf = async (service: string): Promise<Deploy[]> =>
    (await get(`/api/deploys?service=${service}`)).json().deploys;

  it('records a deploy (201) with its range, and lists it', async () => {
    const res = await post({
      service: 'billing',
      version: '1.0.0',
      commit: 'ABCDEF1',
      environment: 'prod',
      at: '2026-01-10T10:00:00Z',
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { deploy: Deploy; range: CommitRange; created: boolean };
    assert.equal(body.created, true);
    assert.equal(body.deploy.service, 'billing');
    assert.equal(body.deploy.environment, 'prod');
    assert.equal(body.deploy.commitSha, 'abcdef1');
    assert.equal(body.deploy.deployedAt, '2026-01-10T10:00:00.000Z');
    assert.equal(body.deploy.inferred, false);
    assert.equal(body.deploy.source, 'api');
    assert.deepEqual(body.range.commits, []);
    assert.match(body.range.note!, /no repository is indexed/);

    const list = await deploysOf('billing');
    assert.equal(list.length, 1);
    assert.equal(list[0]!.id, body.deploy.id);
  });

  it('re-recording the same service, environment and version updates it (200, same id)', async () => {
    const first = (
      await post({ service: 'billing', version: '1.1.0', environment: 'prod', at: '2026-01-11T10:00:00Z' })
    ).json().deploy as Deploy;
    const res = await post({
      service: 'billing',
      version: '1.1.0',
      environment: 'prod',
      at: '2026-01-11T11:00:00Z',
      commit: 'abcdef2',
      source: 'ci',
    });
    assert.equal(res.statusCode, 200);
    const again = res.json().deploy as Deploy;
    assert.equal(again.id, first.id);
    assert.equal(again.deployedAt, '2026-01-11T11:00:00.000Z');
    assert.equal(again.commitSha, 'abcdef2');
    assert.equal(again.source, 'ci');
    assert.equal(again.previousCommitSha, 'abcdef1');
  });

  it('lists newest first and filters by service, environment and time', async () => {
    await post({ service: 'billing', version: '0.9.0', environment: 'staging', at: '2026-01-09T10:00:00Z' });
    const all = await deploysOf('billing');
    assert.deepEqual(
      all.map((d) => d.version),
      ['1.1.0', '1.0.0', '0.9.0'],
    );
    const prod = (await get('/api/deploys?service=billing&env=prod')).json().deploys as Deploy[];
    assert.deepEqual(
      prod.map((d) => d.version),
      ['1.1.0', '1.0.0'],
    );
    const since = (await get('/api/deploys?service=billing&since=2026-01-10T12:00:00Z')).json().deploys as Deploy[];
    assert.deepEqual(
      since.map((d) => d.version),
      ['1.1.0'],
    );
    assert.equal((await get('/api/deploys?service=billing&limit=1')).json().deploys.length, 1);
    assert.equal((await get('/api/deploys?service=nobody')).json().deploys.length, 0);
  });

  it("a deploy inserted between two others takes the earlier head and becomes the later one's base", async () => {
    const d1 = (await post({ service: 'cart', version: 'v1', commit: B, at: '2026-02-01T10:00:00Z' })).json()
      .deploy as Deploy;
    const d3 = (await post({ service: 'cart', version: 'v3', commit: 'fffffff', at: '2026-02-03T10:00:00Z' })).json()
      .deploy as Deploy;
    assert.equal(d1.previousCommitSha, null);
    assert.equal(d3.previousCommitSha, B);
    const d2 = (await post({ service: 'cart', version: 'v2', commit: C, at: '2026-02-02T10:00:00Z' })).json()
      .deploy as Deploy;
    assert.equal(d2.previousCommitSha, B);
    const after3 = (await get(`/api/deploys/${d3.id}`)).json().deploy as Deploy;
    assert.equal(after3.previousCommitSha, C);
    // Moving v2 after v3 re-links all three.
    await post({ service: 'cart', version: 'v2', commit: C, at: '2026-02-04T10:00:00Z' });
    const [n2, n3, n1] = await deploysOf('cart');
    assert.deepEqual([n1!.version, n3!.version, n2!.version], ['v1', 'v3', 'v2']);
    assert.equal(n3!.previousCommitSha, B);
    assert.equal(n2!.previousCommitSha, 'fffffff');
    // And back.
    await post({ service: 'cart', version: 'v2', commit: C, at: '2026-02-02T10:00:00Z' });
  });

  it('expands the commit range from the indexed history: merges, files, abbreviated heads, service paths', async () => {
    const db = o.store.db;
    const [repo] = await db.query<{ id: number }>(
      "INSERT INTO repository (name, path) VALUES ('shop', '/src/shop') RETURNING id",
    );
    const rid = repo!.id;
    await db.query(
      "INSERT INTO service_path (repository_id, path_prefix, service, source) VALUES ($1, 'services/cart/', 'cart', 'given')",
      [rid],
    );
    // a ← b ← c ← d ← M(d, e);  b ← e (a branch merged by M)
    const commits: Array<[string, string[], string, string[]]> = [
      [A, [], 'root', ['README.md']],
      [B, [A], 'cart: add totals', ['services/cart/total.ts']],
      [C, [B], 'other: tweak', ['services/other/x.ts']],
      [E, [B], 'cart: fix rounding', ['services/cart/round.ts']],
      [D, [C], 'cart: badge count', ['services/cart/badge.ts', 'lib/shared.ts']],
      [M, [D, E], 'Merge branch rounding', []],
    ];
    for (const [i, [s, parents, message, files]] of commits.entries()) {
      const t = new Date(Date.UTC(2026, 1, 1, 9, i)).toISOString();
      await db.query(
        `INSERT INTO commit (repository_id, sha, author_name, author_email_hash, authored_at, committed_at, message, parents)
         VALUES ($1, $2, 'Ada', 'h', $3, $3, $4, $5)`,
        [rid, s, t, message, parents],
      );
      for (const path of files) {
        await db.query(
          'INSERT INTO commit_file (repository_id, sha, path, additions, deletions) VALUES ($1, $2, $3, 3, 1)',
          [rid, s, path],
        );
      }
    }
    const d3 = (await deploysOf('cart')).find((d) => d.version === 'v3')!;
    const res = await get(`/api/deploys/${d3.id}`);
    assert.equal(res.statusCode, 200);
    const { range } = res.json() as { range: CommitRange };
    assert.equal(range.head, M, 'the abbreviated head resolves to the full SHA');
    assert.equal(range.base, C);
    assert.equal(range.repository?.name, 'shop');
    assert.deepEqual(
      range.commits.map((c) => c.sha),
      [M, D, E],
    );
    assert.equal(range.truncated, false);
    assert.equal(range.pathPrefix, 'services/cart/');
    const d = range.commits.find((c) => c.sha === D)!;
    assert.equal(d.message, 'cart: badge count');
    assert.equal(d.authorName, 'Ada');
    assert.deepEqual(
      d.files.map((f) => f.path),
      ['lib/shared.ts', 'services/cart/badge.ts'],
    );
    assert.equal(d.touchesService, true);
    assert.equal(range.commits.find((c) => c.sha === M)!.touchesService, false);

    const scoped = (await get(`/api/deploys/${d3.id}?paths=service`)).json().range as CommitRange;
    assert.equal(scoped.restrictedToService, true);
    assert.deepEqual(
      scoped.commits.map((c) => c.sha),
      [D, E],
    );
    assert.match(scoped.note!, /only commits touching services\/cart\//);

    const d2 = (await deploysOf('cart')).find((x) => x.version === 'v2')!;
    const r2 = (await get(`/api/deploys/${d2.id}`)).json().range as CommitRange;
    assert.deepEqual(
      r2.commits.map((c) => c.sha),
      [C],
    );
  });

  it('a rollback to an older commit ships nothing and says so', async () => {
    const res = await post({ service: 'cart', version: 'v4-rollback', commit: C, at: '2026-02-05T10:00:00Z' });
    const { range } = res.json() as { range: CommitRange };
    assert.equal(range.rollback, true);
    assert.deepEqual(range.commits, []);
    assert.match(range.note!, /rollback/);
  });

  it('a recorded deploy overrides an inferred one: its time and commit win, and telemetry no longer moves it', async () => {
    const t0 = Date.parse('2026-03-01T12:00:00Z');
    await ingest({ 'service.name': 'shop', 'service.version': '2.0.0', 'deployment.environment.name': 'prod' }, [t0]);
    let [inferred] = await deploysOf('shop');
    assert.equal(inferred!.inferred, true);
    assert.equal(inferred!.source, 'telemetry');
    const res = await post({
      service: 'shop',
      version: '2.0.0',
      environment: 'prod',
      commit: D,
      at: '2026-03-01T11:58:00Z',
      source: 'ci',
    });
    assert.equal(res.statusCode, 200);
    const recorded = res.json().deploy as Deploy;
    assert.equal(recorded.id, inferred!.id);
    assert.equal(recorded.inferred, false);
    assert.equal(recorded.deployedAt, '2026-03-01T11:58:00.000Z');
    assert.equal(recorded.commitSha, D);
    assert.equal(recorded.attributes.firstSeenInTelemetry, '2026-03-01T12:00:00.000Z');
    assert.equal(recorded.attributes.baseline, undefined);
    // Earlier telemetry of the same version leaves the recorded deploy alone.
    await ingest({ 'service.name': 'shop', 'service.version': '2.0.0', 'deployment.environment.name': 'prod' }, [
      t0 - 3_600_000,
    ]);
    [inferred] = await deploysOf('shop');
    assert.equal(inferred!.deployedAt, '2026-03-01T11:58:00.000Z');
    assert.equal(inferred!.inferred, false);
  });

  it('infers deploys from telemetry: a baseline, then each new version at its earliest record, with a SHA-like version as the commit', async () => {
    const t0 = Date.parse('2026-04-01T08:00:00Z');
    const res = { 'service.name': 'search', 'deployment.environment.name': 'prod' };
    await ingest({ ...res, 'service.version': '5.0.0' }, [t0, t0 + 1000]);
    await ingest({ ...res, 'service.version': '5.0.0' }, [t0 + 60_000]);
    await ingest({ ...res, 'service.version': '9f8e7d6c5b4a' }, [t0 + 120_000, t0 + 90_000]);
    const list = await deploysOf('search');
    assert.deepEqual(
      list.map((d) => [d.version, d.deployedAt, d.inferred, d.attributes.baseline ?? false]),
      [
        ['9f8e7d6c5b4a', '2026-04-01T08:01:30.000Z', true, false],
        ['5.0.0', '2026-04-01T08:00:00.000Z', true, true],
      ],
    );
    assert.equal(list[0]!.commitSha, '9f8e7d6c5b4a');
    assert.equal(list[0]!.attributes.commitFrom, 'service.version');
    // A later batch with an earlier record of the new version moves it earlier.
    await ingest({ ...res, 'service.version': '9f8e7d6c5b4a' }, [t0 + 70_000]);
    assert.equal((await deploysOf('search'))[0]!.deployedAt, '2026-04-01T08:01:10.000Z');
    // A version seen before Orrery's baseline becomes the baseline instead.
    await ingest({ ...res, 'service.version': '4.9.0' }, [t0 - 60_000]);
    const again = await deploysOf('search');
    assert.deepEqual(
      again.map((d) => [d.version, d.attributes.baseline ?? false]),
      [
        ['9f8e7d6c5b4a', false],
        ['5.0.0', false],
        ['4.9.0', true],
      ],
    );
  });

  it('keeps the service table up to date from telemetry', async () => {
    const rows = await o.store.db.query<{ name: string; first_seen: Date; last_seen: Date }>(
      "SELECT name, first_seen, last_seen FROM service WHERE name = 'search'",
    );
    assert.equal(rows.length, 1);
    assert.equal(new Date(rows[0]!.first_seen).toISOString(), '2026-04-01T08:00:00.000Z');
    assert.ok(new Date(rows[0]!.last_seen) >= new Date('2026-04-01T08:00:01.000Z'));
  });

  it('answers 400 naming the bad field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ service: 'x', version: '1', at: 'yesterday' }, /at: "yesterday" is not a time/],
      [{ service: '', version: '1' }, /service: must not be empty/],
      [{ service: '   ', version: '1' }, /service: must not be empty/],
      [{ service: 'x', version: '' }, /version: must not be empty/],
      [{ version: '1' }, /service/],
      [{ service: 'x', version: '1', commit: 'not-a-sha' }, /commit: must be a commit SHA/],
      [{ service: 'x', version: '1', commit: 'abc' }, /commit: must be a commit SHA/],
    ];
    for (const [body, re] of cases) {
      const res = await post(body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.match(res.json().message, re);
    }
    assert.equal((await get('/api/deploys?since=never')).statusCode, 400);
    assert.equal((await get('/api/deploys/abc')).statusCode, 400);
    assert.equal((await get('/api/deploys/999999')).statusCode, 404);
    assert.equal((await deploysOf('x')).length, 0, 'nothing was written');
  });
});

describe('deploy inference pieces', () => {
  it('commitOf: vcs attributes first, then a SHA-like version or a git describe suffix', () => {
    assert.deepEqual(commitOf({ 'vcs.ref.head.revision': 'ABCDEF1234' }, '1.0.0'), {
      sha: 'abcdef1234',
      from: 'vcs.ref.head.revision',
    });
    assert.deepEqual(commitOf({ 'git.commit.sha': 'abcdef1' }, null), { sha: 'abcdef1', from: 'git.commit.sha' });
    assert.deepEqual(commitOf({ 'vcs.revision': 'main' }, '9f8e7d6'), { sha: '9f8e7d6', from: 'service.version' });
    assert.deepEqual(commitOf({}, 'v2.3.0-14-g1a2b3c4d'), { sha: '1a2b3c4d', from: 'service.version (git describe)' });
    assert.equal(commitOf({}, '20240101'), null, 'all digits is a build number, not a SHA');
    assert.equal(commitOf({}, '1.4.0'), null);
  });

  it('scanBatch groups by service, environment and version with earliest and latest times', () => {
    const ms = Date.parse('2026-05-01T00:00:00Z');
    const res = { 'service.name': 'cart', 'service.version': '1' };
    const batch = {
      spans: [
        span({ resource: res, serviceVersion: '1', environment: 'prod', startTimeUnixNano: (ms + 5000) * 1e6 }),
        span({ resource: res, serviceVersion: '1', environment: 'prod', startTimeUnixNano: (ms + 1000) * 1e6 }),
        span({
          resource: res,
          serviceVersion: '1',
          environment: 'prod',
          startTimeUnixNano: (ms + 10 * 3_600_000) * 1e6,
        }),
      ],
      logs: [
        logRecord({
          resource: res,
          serviceVersion: '1',
          environment: 'prod',
          timeUnixNano: 0,
          observedTimeUnixNano: ms * 1e6,
        }),
      ],
      metrics: [
        metricPoint({ resource: res, serviceVersion: '2', environment: 'prod', timeUnixNano: (ms + 7000) * 1e6 }),
      ],
    };
    const tuples = [...scanBatch(batch, ms + 60_000).values()].map((t) => [
      t.service,
      t.environment,
      t.version,
      t.min - ms,
      t.max - ms,
    ]);
    assert.deepEqual(tuples, [
      ['cart', 'prod', '1', 0, 5000],
      ['cart', 'prod', '2', 7000, 7000],
    ]);
  });

  it('writes a service when first seen, then at most once a minute with what it gathered meanwhile', async () => {
    const o = await inProcessOrrery();
    try {
      const inference = new DeployInference(o.store);
      const t0 = Date.parse('2026-06-01T00:00:00Z');
      const batch = (offsetMs: number) => ({
        spans: [span({ service: 'queue', serviceVersion: null, startTimeUnixNano: (t0 + offsetMs) * 1e6 })],
        logs: [],
        metrics: [],
      });
      const row = async () =>
        (
          await o.store.db.query<{ first_seen: Date; last_seen: Date }>(
            "SELECT first_seen, last_seen FROM service WHERE name = 'queue'",
          )
        ).map((r) => [new Date(r.first_seen).getTime() - t0, new Date(r.last_seen).getTime() - t0])[0];
      await inference.observe(batch(0), t0 + 1000);
      assert.deepEqual(await row(), [0, 0]);
      await inference.observe(batch(-5000), t0 + 2000);
      await inference.observe(batch(1500), t0 + 30_000);
      assert.deepEqual(await row(), [0, 0], 'not written again within the minute');
      await inference.observe(batch(40_000), t0 + 62_000);
      assert.deepEqual(await row(), [-5000, 40_000], 'the minute is up: everything gathered is written');
      assert.equal(
        (await o.store.db.query("SELECT 1 FROM deploy WHERE service = 'queue'")).length,
        0,
        'no version, no deploy',
      );
      assert.equal(inference.failures, 0);
    } finally {
      await o.cleanup();
    }
  });
});
