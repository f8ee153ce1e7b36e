// The receiver answers 200 only after the batch is committed: a server killed with SIGKILL
// right after its 200s still has every acknowledged batch when it comes back.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { LogRow } from '../src/store/index.js';
import { freshDataDir, freshPostgresUrl } from './helpers/stores.js';

function batch(tag: string, i: number): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durable' } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: 50 }, (_, j) => ({
              timeUnixNano: String(Date.now() * 1e6),
              body: { stringValue: `${tag} batch ${i} record ${j}` },
            })),
          },
        ],
      },
    ],
  });
}

async function killAfterAcks(start: () => Promise<ServerProcess>): Promise<void> {
  const tag = `run-${Date.now()}`;
  const first = await start();
  // Several batches in flight at once, as an SDK with concurrent exports would send them.
  const statuses = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      fetch(`${first.otlpUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: batch(tag, i),
      }).then((r) => r.status),
    ),
  );
  await first.kill9();
  assert.deepEqual(statuses, Array(8).fill(200));

  const second = await start();
  try {
    const { logs } = await second.getJson<{ logs: LogRow[] }>(
      `/api/logs?service=durable&grep=${tag}&since=1h&limit=1000`,
    );
    assert.equal(logs.length, 8 * 50, 'every acknowledged record survived the SIGKILL');
  } finally {
    await second.stop();
  }
}

describe('durability across SIGKILL', () => {
  it('embedded store: acknowledged batches survive', async () => {
    const dataDir = await freshDataDir();
    try {
      await killAfterAcks(() => ServerProcess.start({ dataDir, logDir: dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL store: acknowledged batches survive', async () => {
    const db = await freshPostgresUrl();
    const dataDir = await freshDataDir();
    try {
      await killAfterAcks(() => ServerProcess.start({ dataDir, logDir: dataDir, databaseUrl: db.url }));
    } finally {
      await db.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
