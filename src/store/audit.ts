// The audit trail: who changed access or settings, what and when. Rows are written in the
// same transaction as the change they record, so a change is never without its row, and each
// row is appended to the hash chain (analysis/audit/chain): the one-row audit_chain head is
// locked by the append, so positions are given out one at a time across connections and nodes.
import { type AuditRow, type ChainHead, entryHash, entryMac, genesisHash } from '../analysis/index.js';
import type { AuditEntry } from '../model/index.js';
import type { Db, Queryable, Row } from './db.js';

export interface AuditWrite {
  /** Who acted: `token:<id>` for an API token, `anonymous-loopback`, `cli-offline`, `bootstrap`. */
  actor: string;
  /** A dotted verb, e.g. `token.create`. */
  action: string;
  subjectKind?: string;
  subjectId?: string;
  detail?: Record<string, unknown>;
}

export interface AuditEvent {
  id: number;
  at: Date;
  actor: string;
  action: string;
  subjectKind: string | null;
  subjectId: string | null;
  detail: Record<string, unknown>;
}

const isDb = (q: Queryable): q is Db => typeof (q as Partial<Db>).transaction === 'function';

/**
 * Appends an entry to the chain, signed with `key`. Pass the transaction of the change it
 * records; given the database itself it opens its own (the head's lock must be held from the
 * position taken to the hash written).
 */
export async function recordAudit(q: Queryable, e: AuditWrite, key: Buffer): Promise<void> {
  if (isDb(q)) return q.transaction((tx) => recordAudit(tx, e, key));
  const [head] = await q.query('UPDATE audit_chain SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash');
  if (!head) throw new Error('the audit chain has no head row (migration 16 missing?)');
  const seq = Number(head.seq);
  let prev: string;
  if (seq === 1) {
    // The chain begins: it commits to the entries written before it, which stay unchained.
    const [legacy] = await q.query(
      'SELECT count(*)::int8 AS n, coalesce(max(id), 0)::int8 AS max_id FROM audit_event WHERE seq IS NULL',
    );
    const n = Number(legacy?.n ?? 0);
    const maxId = Number(legacy?.max_id ?? 0);
    await q.query('UPDATE audit_chain SET legacy_count = $1, legacy_max_id = $2 WHERE id = 1', [n, maxId]);
    prev = genesisHash(n, maxId);
  } else prev = String(head.hash);
  // The time is set here, to the millisecond, so that it reads back exactly as it was hashed.
  const fields = {
    at: new Date(),
    actor: e.actor,
    action: e.action,
    subjectKind: e.subjectKind ?? null,
    subjectId: e.subjectId ?? null,
    detail: e.detail ?? {},
  };
  const hash = entryHash(seq, fields, prev);
  await q.query(
    `INSERT INTO audit_event (at, actor, action, subject_kind, subject_id, detail, seq, prev_hash, hash, mac)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [
      fields.at,
      fields.actor,
      fields.action,
      fields.subjectKind,
      fields.subjectId,
      JSON.stringify(fields.detail),
      seq,
      prev,
      hash,
      entryMac(key, hash),
    ],
  );
  await q.query('UPDATE audit_chain SET hash = $1 WHERE id = 1', [hash]);
}

const detailOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

function rowOf(r: Row): AuditRow {
  return {
    id: Number(r.id),
    seq: r.seq === null || r.seq === undefined ? null : Number(r.seq),
    at: r.at as Date,
    actor: String(r.actor),
    action: String(r.action),
    subjectKind: (r.subject_kind as string | null) ?? null,
    subjectId: (r.subject_id as string | null) ?? null,
    detail: detailOf(r.detail),
    prevHash: (r.prev_hash as string | null) ?? null,
    hash: (r.hash as string | null) ?? null,
    mac: (r.mac as string | null) ?? null,
  };
}

/** Every entry, oldest first, as the chain check reads them; with `newest`, only that many, newest first. */
export async function readAuditRows(q: Queryable, opts: { newest?: number } = {}): Promise<AuditRow[]> {
  if (opts.newest !== undefined)
    return (await q.query('SELECT * FROM audit_event ORDER BY id DESC LIMIT $1', [opts.newest])).map(rowOf);
  return (await q.query('SELECT * FROM audit_event ORDER BY id')).map(rowOf);
}

/** The chain's head: its newest position and hash, and what it began after (null before the first chained entry). */
export async function auditChainHead(
  q: Queryable,
): Promise<{ seq: number; hash: string | null; start: ChainHead | null }> {
  const [r] = await q.query('SELECT seq, hash, legacy_count, legacy_max_id FROM audit_chain WHERE id = 1');
  if (!r) return { seq: 0, hash: null, start: null };
  return {
    seq: Number(r.seq),
    hash: (r.hash as string | null) ?? null,
    start:
      r.legacy_count === null || r.legacy_count === undefined
        ? null
        : { legacyCount: Number(r.legacy_count), legacyMaxId: Number(r.legacy_max_id) },
  };
}

export function auditEntryOf(r: AuditRow): AuditEntry {
  return { ...r, at: r.at.toISOString() };
}

/** The newest events first. */
export async function listAudit(q: Queryable, opts: { limit?: number } = {}): Promise<AuditEvent[]> {
  const rows = await q.query('SELECT * FROM audit_event ORDER BY id DESC LIMIT $1', [opts.limit ?? 100]);
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at as Date,
    actor: r.actor as string,
    action: r.action as string,
    subjectKind: (r.subject_kind as string | null) ?? null,
    subjectId: (r.subject_id as string | null) ?? null,
    detail: detailOf(r.detail) as Record<string, unknown>,
  }));
}
