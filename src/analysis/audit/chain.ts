// The audit trail's hash chain and its check, pure. Each entry's hash covers its own fields
// and the hash before it, so an entry edited in place breaks every link after it. Each entry
// also carries an HMAC of its hash under a key kept outside the database: an attacker who can
// write the database but not read that key cannot recompute a rewritten tail. A truncated tail
// leaves a chain that is whole as far as it goes, so the anchor (the newest head this node
// wrote or checked, HMAC-signed, kept outside the database) says how far it must go.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditAnchor, AuditProblem, AuditVerification } from '../../model/index.js';

/** An audit entry as stored, chained or not (entries written before the chain began are not). */
export interface AuditRow {
  id: number;
  seq: number | null;
  at: Date;
  actor: string;
  action: string;
  subjectKind: string | null;
  subjectId: string | null;
  detail: unknown;
  prevHash: string | null;
  hash: string | null;
  mac: string | null;
}

export type ChainedFields = Pick<AuditRow, 'at' | 'actor' | 'action' | 'subjectKind' | 'subjectId' | 'detail'>;

/** JSON with object keys sorted at every depth: the database's jsonb does not keep key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest('hex');

/**
 * The hash the first chained entry links to. It commits to the entries written before the chain
 * began (how many, and the newest id), so adding or removing one of them later is found.
 */
export function genesisHash(legacyCount: number, legacyMaxId: number): string {
  return sha256(`orrery-audit-genesis:${legacyCount}:${legacyMaxId}`);
}

export function entryHash(seq: number, e: ChainedFields, prevHash: string): string {
  return sha256(
    canonicalJson([seq, e.at.toISOString(), e.actor, e.action, e.subjectKind, e.subjectId, e.detail ?? {}, prevHash]),
  );
}

export function entryMac(key: Buffer, hash: string): string {
  return hmac(key, `entry:${hash}`);
}

export function anchorMac(key: Buffer, seq: number, hash: string): string {
  return hmac(key, `anchor:${seq}:${hash}`);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ChainHead {
  /** Entries written before the chain began, and the newest of their ids (0 when none). */
  legacyCount: number;
  legacyMaxId: number;
}

/**
 * Checks every entry: the chain's positions run 1, 2, 3… without a gap; each entry's hash is
 * recomputed from its fields and the hash before it; each MAC is checked with the key; no entry
 * newer than the chain's start sits outside it; the anchor's entry is there with the anchor's
 * hash. `rows` in id order.
 */
export function verifyChain(
  rows: readonly AuditRow[],
  head: ChainHead | null,
  key: Buffer,
  anchor: AuditAnchor | null,
): AuditVerification {
  const problems: AuditProblem[] = [];
  const chained = rows.filter((r) => r.seq !== null).sort((a, b) => (a.seq as number) - (b.seq as number));
  const firstChainedId = chained.length ? Math.min(...chained.map((r) => r.id)) : Number.POSITIVE_INFINITY;
  const legacy = rows.filter((r) => r.seq === null && r.id < firstChainedId);
  for (const r of rows)
    if (r.seq === null && r.id > firstChainedId)
      problems.push({
        kind: 'unchained',
        id: r.id,
        seq: null,
        message: `entry id ${r.id} (${r.action}) was written after the chain began but is not in it: added outside Orrery`,
      });

  if (chained.length > 0) {
    if (!head)
      problems.push({ kind: 'genesis', id: null, seq: null, message: 'the chain has entries but no recorded start' });
    else if (head.legacyCount !== legacy.length || head.legacyMaxId !== Math.max(0, ...legacy.map((r) => r.id)))
      problems.push({
        kind: 'genesis',
        id: null,
        seq: null,
        message: `the chain began after ${head.legacyCount} older entries (newest id ${head.legacyMaxId}); ${legacy.length} are there now`,
      });
  }

  let prev = head ? genesisHash(head.legacyCount, head.legacyMaxId) : null;
  let expected = 1;
  for (const r of chained) {
    const seq = r.seq as number;
    if (seq !== expected) {
      problems.push({
        kind: 'gap',
        id: r.id,
        seq,
        message:
          seq > expected
            ? `entries ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} of the chain are missing (deleted)`
            : `entry ${seq} appears twice`,
      });
      // Resume the count from here: one deletion is one problem, not one per entry after it.
      expected = seq;
    }
    expected++;
    if (prev !== null && r.prevHash !== prev)
      problems.push({
        kind: 'link',
        id: r.id,
        seq,
        message: `entry ${seq} does not link to the entry before it`,
      });
    const recomputed = entryHash(seq, r, r.prevHash ?? '');
    if (r.hash === null || !same(recomputed, r.hash))
      problems.push({
        kind: 'hash',
        id: r.id,
        seq,
        message: `entry ${seq} (${r.action} by ${r.actor}) was changed after it was written: its fields no longer give its hash`,
      });
    else if (r.mac === null || !same(entryMac(key, r.hash), r.mac))
      problems.push({
        kind: 'mac',
        id: r.id,
        seq,
        message: `entry ${seq}'s MAC does not match: it was rewritten with its hash recomputed, or signed with another audit key`,
      });
    prev = r.hash;
  }

  const last = chained.at(-1) ?? null;
  if (anchor) {
    const at = chained.find((r) => r.seq === anchor.seq);
    if (!same(anchorMac(key, anchor.seq, anchor.hash), anchor.mac))
      problems.push({
        kind: 'anchor',
        id: null,
        seq: anchor.seq,
        message: "the anchor's MAC does not match: the anchor file was edited, or the audit key changed",
      });
    else if (!at)
      problems.push({
        kind: 'truncated',
        id: null,
        seq: anchor.seq,
        message: `the anchor says the chain reached entry ${anchor.seq}; it ends at ${last?.seq ?? 0}: entries were deleted from its end`,
      });
    else if (at.hash !== anchor.hash)
      problems.push({
        kind: 'truncated',
        id: at.id,
        seq: anchor.seq,
        message: `entry ${anchor.seq} is not the one the anchor recorded: the chain was rewritten from there or before`,
      });
  }

  return {
    ok: problems.length === 0,
    entries: rows.length,
    chained: chained.length,
    legacy: legacy.length,
    head: last ? { seq: last.seq as number, hash: last.hash as string } : null,
    anchor: anchor ? { seq: anchor.seq, hash: anchor.hash, writtenAt: anchor.writtenAt } : null,
    problems,
  };
}
