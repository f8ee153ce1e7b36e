// Token revocation across nodes on one PostgreSQL: a token revoked on one node stops working on
// another node, which had it cached as verified, within a second.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenVerifier } from '../src/server/auth.js';
import { type Store, openStore } from '../src/store/index.js';
import { freshPostgresUrl } from './helpers/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('token revocation across two nodes (PostgreSQL)', () => {
  let db: { url: string; cleanup(): Promise<void> };
  let a: Store;
  let b: Store;

  before(async () => {
    db = await freshPostgresUrl();
    a = await openStore({ databaseUrl: db.url, dataDir: '', retentionDays: 7, poolSize: 2 });
    b = await openStore({ databaseUrl: db.url, dataDir: '', retentionDays: 7, poolSize: 2 });
  });
  after(async () => {
    await a?.close().catch(() => {});
    await b?.close().catch(() => {});
    await db?.cleanup();
  });

  it('a token revoked on node A is refused by node B within 1 s, though B had it cached', async () => {
    const { token } = await a.createToken('ci-ingest', { role: 'ingest' });
    const keep = await a.createToken('other', { role: 'ingest' });
    const onB = new TokenVerifier(b);
    assert.ok(await onB.verify(token), 'verified on B, and cached there');
    assert.ok(await onB.verify(keep.token));
    await a.revokeToken('ci-ingest');
    const t0 = performance.now();
    let refusedAfter: number | null = null;
    while (performance.now() - t0 < 3_000) {
      if ((await onB.verify(token)) === null) {
        refusedAfter = performance.now() - t0;
        break;
      }
      await sleep(20);
    }
    assert.ok(
      refusedAfter !== null && refusedAfter < 1_000,
      `refused after ${refusedAfter?.toFixed(0) ?? '> 3000'} ms`,
    );
    assert.ok(await onB.verify(keep.token), 'the other token still works');
  });
});
