// Exactly-once ingest across nodes on one PostgreSQL: two Orrery nodes (each its own store pool
// and group-commit writer) given the same batch, one after the other and at the same moment, store
// it once; the node that lost the race answers it as a retry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type Store, openStore } from '../src/store/index.js';
import { logRecord } from './helpers/records.js';
import { freshPostgresUrl } from './helpers/stores.js';
import { sdkSpans } from './helpers/otel.js';
import { decodeOtlp } from '../src/ingest/sources/otlp/index.js';
import { batchKey } from '../src/workflows/ingest-otlp.js';
import type { Span } from '../src/model/index.js';

describe('exactly-once ingest across two nodes (PostgreSQL)', () => {
  let db: { url: string; cleanup(): Promise<void> };
  let a: Store;
  let b: Store;

  before(async () => {
    db = await freshPostgresUrl();
    a = await openStore({ databaseUrl: db.url, dataDir: '', retentionDays: 7, poolSize: 4 });
    b = await openStore({ databaseUrl: db.url, dataDir: '', retentionDays: 7, poolSize: 4 });
  });
  after(async () => {
    await a?.close().catch(() => {});
    await b?.close().catch(() => {});
    await db?.cleanup();
  });

  const spanCount = async () => Number((await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM span'))[0]?.n);

  it('a batch retried to the other node is stored once', async () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!);
    const spans = decodeOtlp('traces', 'protobuf', body).records as Span[];
    const key = batchKey('traces', 'protobuf', body);
    const batch = { logs: [], spans, metrics: [] };
    assert.deepEqual(await a.writeKeyedTelemetry([{ batch, key }]), [true]);
    assert.deepEqual(await b.writeKeyedTelemetry([{ batch, key }]), [false]);
    assert.equal(await spanCount(), spans.length);
  });

  it('the same batch on both nodes at once is stored once, whichever commits first', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const batch = { logs: [logRecord({ body: key })], spans: [], metrics: [] };
      const [x, y] = await Promise.all([
        a.writeKeyedTelemetry([{ batch, key }]),
        b.writeKeyedTelemetry([{ batch, key }]),
      ]);
      assert.deepEqual([x[0], y[0]].sort(), [false, true], `round ${round}: exactly one node stored it`);
      const rows = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM log_record WHERE body = $1', [key]);
      assert.equal(Number(rows[0]?.n), 1);
    }
  });

  it("a transaction that fails stores nothing and keeps no key: the client's retry is stored", async () => {
    const key = 'failed-once';
    const batch = { logs: [logRecord({ body: key })], spans: [], metrics: [] };
    // The database refuses one of its records (a trigger this test adds), failing the whole transaction.
    await a.db.exec(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.body = 'boom' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_boom BEFORE INSERT ON log_record FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
    const bad = { logs: [logRecord({ body: key }), logRecord({ body: 'boom' })], spans: [], metrics: [] };
    await assert.rejects(a.writeKeyedTelemetry([{ batch: bad, key }]));
    assert.deepEqual(await b.writeKeyedTelemetry([{ batch, key }]), [true]);
  });
});
