// Inferred deploys end to end: spans from two versions of a service, made by the OpenTelemetry
// SDK with explicit start times and sent by the real protobuf exporter to a running
// `orrery up`, give one inferred deploy for the new version at its first span's start time
// (plus the baseline for the first version); a later batch with an earlier span moves it.
// On PostgreSQL, two Orrery nodes sharing one database see a new version at once and
// still store one deploy.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Deploy } from '../src/model/index.js';
import { freshDataDir, freshPostgresUrl } from './helpers/stores.js';

const REVISION = '3f2a9c1e5b7d4f60a8c2e9b1d3f5a7c9e1b2d4f6';

/** Finished SDK spans of one resource, each started at the given time and lasting 20 ms. */
async function spansAt(resource: Record<string, string>, starts: Date[]): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('cart-http', '1.0.0');
  for (const start of starts) {
    const span = tracer.startSpan('GET /cart/:id', {
      kind: 1,
      startTime: start,
      attributes: { 'http.route': '/cart/:id' },
    });
    span.end(new Date(start.getTime() + 20));
  }
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

function send(url: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  return new Promise<void>((resolve, reject) => {
    exporter.export(spans, (r) =>
      r.code === 0 ? resolve() : reject(r.error ?? new Error(`export failed: ${r.code}`)),
    );
  }).finally(() => exporter.shutdown());
}

for (const backend of ['pglite', 'postgres'] as const)
  describe(`inferred deploys from the OpenTelemetry SDK exporter (${backend})`, () => {
    let server: ServerProcess;
    let dataDir: string;
    let pgDb: { url: string; cleanup(): Promise<void> } | undefined;
    const base = Date.now() - 30 * 60_000;
    const at = (minutes: number, ms = 0) => new Date(base + minutes * 60_000 + ms);
    const v1 = { 'service.name': 'cart', 'service.version': '1.0.0', 'deployment.environment.name': 'production' };
    const v2 = { ...v1, 'service.version': '1.1.0', 'vcs.ref.head.revision': REVISION };

    before(async () => {
      dataDir = await freshDataDir();
      pgDb = backend === 'postgres' ? await freshPostgresUrl() : undefined;
      server = await ServerProcess.start({ dataDir, logDir: dataDir, databaseUrl: pgDb?.url });
    });
    after(async () => {
      await server?.stop();
      await pgDb?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const deploys = async () => (await server.getJson<{ deploys: Deploy[] }>('/api/deploys?service=cart')).deploys;

    it('two versions give one inferred deploy for the new one, at its first span, with the commit from vcs.ref.head.revision', async () => {
      await send(server.otlpUrl, await spansAt(v1, [at(0), at(1), at(2)]));
      // The 1.1.0 spans arrive out of order within the batch; the earliest one is the deploy time.
      await send(server.otlpUrl, await spansAt(v2, [at(11, 250), at(10, 123), at(12)]));
      await send(server.otlpUrl, await spansAt(v2, [at(13)]));

      const list = await deploys();
      const inferred = list.filter((d) => !d.attributes.baseline);
      assert.equal(inferred.length, 1, JSON.stringify(list));
      const d = inferred[0]!;
      assert.equal(d.version, '1.1.0');
      assert.equal(d.environment, 'production');
      assert.equal(d.inferred, true);
      assert.equal(d.source, 'telemetry');
      assert.equal(d.deployedAt, at(10, 123).toISOString());
      assert.equal(d.commitSha, REVISION);
      assert.equal(d.attributes.commitFrom, 'vcs.ref.head.revision');

      // The first version is recorded as the baseline: what was running when Orrery started watching.
      assert.equal(list.length, 2);
      const baseline = list.find((x) => x.attributes.baseline === true)!;
      assert.equal(baseline.version, '1.0.0');
      assert.equal(baseline.deployedAt, at(0).toISOString());
      assert.equal(baseline.commitSha, null);
    });

    it('a later batch with an earlier span of the same version moves the deploy earlier', async () => {
      await send(server.otlpUrl, await spansAt(v2, [at(9, 7)]));
      const d = (await deploys()).find((x) => x.version === '1.1.0')!;
      assert.equal(d.deployedAt, at(9, 7).toISOString());
      assert.equal((await deploys()).length, 2);
    });

    if (backend === 'postgres') {
      it('a recorded deploy over the inferred one expands its range from commit rows (PostgreSQL driver paths)', async () => {
        const db = new pg.Client({ connectionString: pgDb!.url });
        await db.connect();
        try {
          const { rows } = await db.query(
            "INSERT INTO repository (name, path) VALUES ('cart', '/src/cart') RETURNING id",
          );
          const rid = rows[0].id;
          const shaA = 'a'.repeat(40);
          await db.query(
            `INSERT INTO commit (repository_id, sha, author_name, authored_at, committed_at, message, parents) VALUES
             ($1, $2, 'Ada', now(), now(), 'base', '{}'), ($1, $3, 'Ada', now(), now(), 'cart: new totals', ARRAY[$2])`,
            [rid, shaA, REVISION],
          );
          await db.query(
            "INSERT INTO commit_file (repository_id, sha, path, additions, deletions) VALUES ($1, $2, 'src/total.ts', 4, 2)",
            [rid, REVISION],
          );
          const post = (body: object) =>
            fetch(`${server.apiUrl}/api/deploys`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
          // 1.0.0 gets its commit recorded; 1.1.0 (inferred, with REVISION) then ships (a, REVISION].
          const res = await post({
            service: 'cart',
            version: '1.0.0',
            environment: 'production',
            commit: 'aaaaaaa',
            at: at(0).toISOString(),
          });
          assert.equal(res.status, 200, await res.clone().text());
          const d = (await deploys()).find((x) => x.version === '1.1.0')!;
          const detail = await server.getJson<{
            deploy: Deploy;
            range: { commits: Array<{ sha: string; files: Array<{ path: string }> }>; base: string };
          }>(`/api/deploys/${d.id}`);
          assert.equal(detail.deploy.previousCommitSha, 'aaaaaaa');
          assert.equal(detail.range.base, shaA);
          assert.deepEqual(
            detail.range.commits.map((c) => [c.sha, c.files.map((f) => f.path)]),
            [[REVISION, ['src/total.ts']]],
          );
        } finally {
          await db.end();
        }
      });

      it('two nodes on one database seeing a new version at the same time store one deploy', async () => {
        const logDir = join(dataDir, 'node2');
        mkdirSync(logDir, { recursive: true });
        const other = await ServerProcess.start({ dataDir, logDir, databaseUrl: pgDb!.url });
        try {
          const v3 = { ...v1, 'service.version': '1.2.0' };
          await Promise.all([
            send(server.otlpUrl, await spansAt(v3, [at(20, 5)])),
            send(other.otlpUrl, await spansAt(v3, [at(20, 1)])),
            send(server.otlpUrl, await spansAt(v3, [at(20, 9)])),
            send(other.otlpUrl, await spansAt(v3, [at(20, 3)])),
          ]);
          const found = (await deploys()).filter((d) => d.version === '1.2.0');
          assert.equal(found.length, 1);
          assert.equal(found[0]!.deployedAt, at(20, 1).toISOString());
          assert.equal(found[0]!.previousCommitSha, REVISION, 'its range starts at 1.1.0');
        } finally {
          await other.stop();
        }
      });
    }

    it('the server logged no errors', () => {
      assert.deepEqual(
        server.problems().filter((p) => p.level !== 'warn'),
        [],
      );
    });
  });
