// The audit chain's check on hand-built rows: a whole chain passes; an edited entry, a deleted
// one, a tail rewritten with every hash recomputed (without the key), a cut tail, an entry
// slipped in outside the chain, a changed count of older entries and an edited anchor are each
// found and named.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type AuditRow,
  anchorMac,
  canonicalJson,
  entryHash,
  entryMac,
  genesisHash,
  verifyChain,
} from '../src/analysis/index.js';
import type { AuditAnchor } from '../src/model/index.js';

const KEY = randomBytes(32);
const START = { legacyCount: 1, legacyMaxId: 1 };

function legacyRow(): AuditRow {
  return {
    id: 1,
    seq: null,
    at: new Date('2026-01-01T00:00:00Z'),
    actor: 'bootstrap',
    action: 'token.create',
    subjectKind: 'api_token',
    subjectId: '1',
    detail: { name: 'old' },
    prevHash: null,
    hash: null,
    mac: null,
  };
}

/** A legacy entry and then `n` chained ones, as recordAudit writes them. */
function chain(n: number, key = KEY): AuditRow[] {
  const rows = [legacyRow()];
  let prev = genesisHash(START.legacyCount, START.legacyMaxId);
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      at: new Date(Date.UTC(2026, 0, 2, 0, seq)),
      actor: `token:${seq}`,
      action: seq % 2 ? 'token.create' : 'token.revoke',
      subjectKind: 'api_token',
      subjectId: String(seq),
      detail: { name: `t${seq}`, role: 'viewer', nested: { b: 1, a: [1, 2] } },
    };
    const hash = entryHash(seq, fields, prev);
    rows.push({ id: seq + 1, seq, ...fields, prevHash: prev, hash, mac: entryMac(key, hash) });
    prev = hash;
  }
  return rows;
}

function anchorAt(rows: AuditRow[], seq: number): AuditAnchor {
  const r = rows.find((x) => x.seq === seq)!;
  return { seq, hash: r.hash!, mac: anchorMac(KEY, seq, r.hash!), writtenAt: '2026-01-03T00:00:00Z' };
}

/** Recomputes every hash from `fromSeq` on, as someone with database access but not the key would. */
function rehash(rows: AuditRow[], fromSeq: number): void {
  let prev = rows.find((r) => r.seq === fromSeq - 1)?.hash ?? genesisHash(START.legacyCount, START.legacyMaxId);
  for (const r of rows) {
    if (r.seq === null || r.seq < fromSeq) continue;
    r.prevHash = prev;
    r.hash = entryHash(r.seq, r, prev);
    prev = r.hash;
  }
}

const kinds = (rows: AuditRow[], anchor: AuditAnchor | null = null, key = KEY) =>
  verifyChain(rows, START, key, anchor).problems.map((p) => p.kind);

describe('audit chain', () => {
  it('hashes object keys in any order alike (jsonb does not keep the order)', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });

  it('passes a whole chain, with its anchor, and counts the older entries apart', () => {
    const rows = chain(6);
    const v = verifyChain(rows, START, KEY, anchorAt(rows, 6));
    assert.deepEqual(v.problems, []);
    assert.equal(v.ok, true);
    assert.equal(v.chained, 6);
    assert.equal(v.legacy, 1);
    assert.deepEqual(v.head, { seq: 6, hash: rows[6]!.hash });
  });

  it('finds an entry edited in place', () => {
    const rows = chain(5);
    (rows[3]!.detail as { role: string }).role = 'admin';
    const v = verifyChain(rows, START, KEY, null);
    assert.equal(v.ok, false);
    assert.deepEqual(
      v.problems.map((p) => [p.kind, p.seq]),
      [['hash', 3]],
    );
    assert.match(v.problems[0]!.message, /entry 3 \(token\.create by token:3\) was changed/);
  });

  it('finds an entry deleted from the middle', () => {
    const rows = chain(5).filter((r) => r.seq !== 3);
    assert.deepEqual(kinds(rows), ['gap', 'link']);
  });

  it('finds a tail rewritten with every hash recomputed by its MACs', () => {
    const rows = chain(5);
    rows[4]!.actor = 'token:99';
    rehash(rows, 4);
    assert.deepEqual(kinds(rows), ['mac', 'mac']);
  });

  it('finds a cut tail by the anchor, even with the rest whole', () => {
    const rows = chain(6);
    const anchor = anchorAt(rows, 6);
    assert.deepEqual(kinds(rows.slice(0, -2), anchor), ['truncated']);
  });

  it('finds a tail rewritten from before the anchor, hashes and all, by the anchor', () => {
    const rows = chain(6);
    const anchor = anchorAt(rows, 6);
    rows[5]!.actor = 'token:99';
    rehash(rows, 5);
    // With the key stolen too, the MACs would pass; the anchor still differs.
    for (const r of rows) if (r.hash) r.mac = entryMac(KEY, r.hash);
    assert.deepEqual(kinds(rows, anchor), ['truncated']);
  });

  it('finds an entry added outside the chain, and an older entry added or removed', () => {
    const rows = chain(3);
    rows.push({ ...legacyRow(), id: 10, actor: 'mallory' });
    assert.deepEqual(kinds(rows), ['unchained']);
    const noLegacy = chain(3).slice(1);
    assert.deepEqual(kinds(noLegacy), ['genesis']);
  });

  it('finds an edited anchor, and MACs made with another key', () => {
    const rows = chain(3);
    const anchor = { ...anchorAt(rows, 3), seq: 2 };
    assert.deepEqual(kinds(rows, anchor), ['anchor']);
    assert.deepEqual(kinds(rows, null, randomBytes(32)), ['mac', 'mac', 'mac']);
  });
});
