// The audit trail on a real store, both backends: token changes are chained and verify whole;
// tampering done in SQL, as someone with database access would, is found (an edited row, a
// row rewritten with its hash recomputed, a deleted tail); appends from many connections at
// once keep one unbroken chain; and the CLI's `audit verify` exits 6 on a broken chain.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { entryHash } from '../src/analysis/index.js';
import {
  AUDIT_ANCHOR_FILE,
  AUDIT_KEY_FILE,
  AuditTrail,
  type Store,
  openStore,
  readAuditRows,
  recordAudit,
} from '../src/store/index.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir, freshPostgresUrl } from './helpers/stores.js';

const KEY = 'k'.repeat(40);

async function tamperings(store: Store): Promise<void> {
  const db = store.db;
  await store.createToken('alice', { role: 'viewer', actor: 'bootstrap' });
  await store.createToken('bob', { role: 'operator', actor: 'token:1' });
  await store.revokeToken('alice', { actor: 'token:1' });
  const whole = await store.audit.verify(db);
  assert.deepEqual(whole.problems, []);
  assert.equal(whole.chained, 3);

  // An edited row.
  await db.query(`UPDATE audit_event SET detail = '{"name":"alice","role":"admin"}' WHERE seq = 1`);
  assert.deepEqual(
    (await store.audit.verify(db)).problems.map((p) => [p.kind, p.seq]),
    [['hash', 1]],
  );
  await db.query(`UPDATE audit_event SET detail = '{"name":"alice","role":"viewer"}' WHERE seq = 1`);
  assert.equal((await store.audit.verify(db)).ok, true);

  // A row rewritten with its hash recomputed (the key is not in the database).
  const [row] = (await readAuditRows(db)).filter((r) => r.seq === 3);
  const forged = entryHash(3, { ...row!, actor: 'token:2' }, row!.prevHash!);
  await db.query(`UPDATE audit_event SET actor = 'token:2', hash = $1 WHERE seq = 3`, [forged]);
  await db.query('UPDATE audit_chain SET hash = $1', [forged]);
  assert.deepEqual(
    (await store.audit.verify(db)).problems.map((p) => p.kind),
    ['mac', 'truncated'],
  );

  // The tail deleted, head and all.
  await db.query('DELETE FROM audit_event WHERE seq = 3');
  await db.query(`UPDATE audit_chain SET seq = 2, hash = (SELECT hash FROM audit_event WHERE seq = 2)`);
  assert.deepEqual(
    (await store.audit.verify(db)).problems.map((p) => p.kind),
    ['truncated'],
  );
}

describe('audit trail', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('on PGlite: chains token changes, finds tampering, keeps its key and anchor in the data directory', async () => {
    const dir = await freshDataDir();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore({ dataDir: dir, retentionDays: 7 });
    try {
      await tamperings(store);
      assert.equal(statSync(join(dir, AUDIT_KEY_FILE)).mode & 0o077, 0, 'the key file is private');
      const anchor = JSON.parse(readFileSync(join(dir, AUDIT_ANCHOR_FILE), 'utf8')) as { seq: number };
      assert.equal(anchor.seq, 3);
    } finally {
      await store.close();
    }
  });

  it('on PostgreSQL: the same, with the key from the setting, and 3 × 10 concurrent appends keep one chain', async () => {
    const pg = await freshPostgresUrl();
    cleanups.push(pg.cleanup);
    const dir = mkdtempSync(join(tmpdir(), 'orrery-audit-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore({ databaseUrl: pg.url, dataDir: dir, retentionDays: 7, poolSize: 4, auditKey: KEY });
    try {
      await tamperings(store);
    } finally {
      await store.close();
    }

    const pg2 = await freshPostgresUrl();
    cleanups.push(pg2.cleanup);
    // Three nodes sharing one database and one key, each with its own anchor.
    const nodes: Store[] = [];
    for (let i = 0; i < 3; i++) {
      const d = mkdtempSync(join(tmpdir(), 'orrery-audit-'));
      cleanups.push(async () => rmSync(d, { recursive: true, force: true }));
      nodes.push(await openStore({ databaseUrl: pg2.url, dataDir: d, retentionDays: 7, poolSize: 4, auditKey: KEY }));
    }
    try {
      await Promise.all(
        nodes.flatMap((n, i) =>
          Array.from({ length: 10 }, (_, k) =>
            recordAudit(n.db, { actor: `node:${i}`, action: 'test.append', detail: { k } }, n.audit.key),
          ),
        ),
      );
      const v = await nodes[0]!.audit.verify(nodes[0]!.db);
      assert.deepEqual(v.problems, []);
      assert.equal(v.chained, 30);
      // Another key finds every MAC wrong: the nodes must share ORRERY_AUDIT_KEY.
      const other = AuditTrail.open({ dataDir: '', key: 'x'.repeat(40) });
      assert.equal((await other.verify(nodes[1]!.db)).problems.filter((p) => p.kind === 'mac').length, 30);
    } finally {
      for (const n of nodes) await n.close();
    }
  });

  it('the CLI: audit verify --offline exits 0 on a whole chain and 6 on a broken one; export writes JSON lines', async () => {
    const dir = await freshDataDir();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const made = await runCli(['token', 'create', '--name', 'carol', '--offline', '--data-dir', dir]);
    assert.equal(made.code, 0, made.stderr);
    const ok = await runCli(['audit', 'verify', '--offline', '--data-dir', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /The audit chain is whole: 1 chained entry/);
    const exported = await runCli(['audit', 'export', '--offline', '--data-dir', dir]);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; action: string });
    assert.deepEqual(
      lines.map((l) => [l.seq, l.action]),
      [[1, 'token.create']],
    );

    const store = await openStore({ dataDir: dir, retentionDays: 7 });
    await store.db.query(`UPDATE audit_event SET actor = 'someone-else' WHERE seq = 1`);
    await store.close();
    const broken = await runCli(['audit', 'verify', '--offline', '--data-dir', dir]);
    assert.equal(broken.code, 6, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /The audit chain is broken: 1 problem/);
    assert.match(broken.stdout, /\[hash\] entry 1 \(token\.create by someone-else\) was changed/);
    const bad = await runCli(['audit', 'list', '--limit', 'many', '--offline', '--data-dir', dir]);
    assert.equal(bad.code, 2);
  });
});
