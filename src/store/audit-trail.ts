// The audit trail's anchor outside the database: the key that signs each entry (the setting
// ORRERY_AUDIT_KEY, or a key file made once in the data directory) and the anchor file, the
// newest chain position this node wrote or checked, signed with that key. Someone who can
// rewrite the database but not read the key cannot re-sign a rewritten tail, and cannot hide a
// truncated one from the anchor. Nodes sharing one PostgreSQL must share the key (set
// ORRERY_AUDIT_KEY alike); each keeps its own anchor.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorMac, entryMac, verifyChain } from '../analysis/index.js';
import type { AuditAnchor, AuditVerification } from '../model/index.js';
import { auditChainHead, readAuditRows } from './audit.js';
import type { Queryable } from './db.js';

export const AUDIT_KEY_FILE = 'audit.key';
export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';
/** Shortest ORRERY_AUDIT_KEY accepted: 32 characters, e.g. `openssl rand -hex 32`. */
export const MIN_AUDIT_KEY_LENGTH = 32;

export class AuditKeyError extends Error {}

function readOrCreateKey(dataDir: string): Buffer {
  const path = join(dataDir, AUDIT_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // wx: made once; a second process that races here reads the first one's key.
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = readFileSync(path, 'utf8').trim();
  if (text.length < MIN_AUDIT_KEY_LENGTH)
    throw new AuditKeyError(`the audit key in ${path} is shorter than ${MIN_AUDIT_KEY_LENGTH} characters`);
  return Buffer.from(text, 'utf8');
}

export class AuditTrail {
  private constructor(
    readonly key: Buffer,
    /** Where the anchor is kept; null: nowhere (a store opened without a data directory, in tests). */
    readonly anchorPath: string | null,
  ) {}

  /** The key from the setting, else the data directory's key file (made on first use). */
  static open(opts: { dataDir: string; key?: string }): AuditTrail {
    if (opts.key !== undefined && opts.key.length < MIN_AUDIT_KEY_LENGTH)
      throw new AuditKeyError(`ORRERY_AUDIT_KEY must be at least ${MIN_AUDIT_KEY_LENGTH} characters`);
    // No data directory (a PostgreSQL store opened with dataDir ''): no anchor, and a key of its own unless set.
    if (opts.dataDir === '')
      return new AuditTrail(opts.key !== undefined ? Buffer.from(opts.key, 'utf8') : randomBytes(32), null);
    const key = opts.key !== undefined ? Buffer.from(opts.key, 'utf8') : readOrCreateKey(opts.dataDir);
    return new AuditTrail(key, join(opts.dataDir, AUDIT_ANCHOR_FILE));
  }

  /** A trail with a key of its own and no anchor: for a Store built around a bare database. */
  static ephemeral(): AuditTrail {
    return new AuditTrail(randomBytes(32), null);
  }

  readAnchor(): AuditAnchor | null {
    if (!this.anchorPath) return null;
    let text: string;
    try {
      text = readFileSync(this.anchorPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const a = JSON.parse(text) as Partial<AuditAnchor>;
    if (typeof a.seq !== 'number' || typeof a.hash !== 'string' || typeof a.mac !== 'string')
      // A damaged anchor is reported by verify as an anchor whose MAC fails, not thrown.
      return { seq: Number(a.seq) || 0, hash: String(a.hash ?? ''), mac: '', writtenAt: String(a.writtenAt ?? '') };
    return { seq: a.seq, hash: a.hash, mac: a.mac, writtenAt: String(a.writtenAt ?? '') };
  }

  /**
   * Moves the anchor to the chain's head when the head is newer and its entry is signed with
   * this key (a head someone forged is not anchored). Call after a transaction that appended.
   */
  async advance(q: Queryable): Promise<void> {
    if (!this.anchorPath) return;
    const head = await auditChainHead(q);
    if (head.seq === 0 || head.hash === null) return;
    const anchor = this.readAnchor();
    if (anchor && anchor.seq >= head.seq) return;
    const [row] = await q.query('SELECT hash, mac FROM audit_event WHERE seq = $1', [head.seq]);
    if (!row || row.hash !== head.hash || row.mac !== entryMac(this.key, head.hash)) return;
    const next: AuditAnchor = {
      seq: head.seq,
      hash: head.hash,
      mac: anchorMac(this.key, head.seq, head.hash),
      writtenAt: new Date().toISOString(),
    };
    const tmp = `${this.anchorPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(next)}\n`, { mode: 0o600 });
    renameSync(tmp, this.anchorPath);
  }

  /** Checks the whole chain against this key and anchor; a chain found whole moves the anchor to its head. */
  async verify(q: Queryable): Promise<AuditVerification> {
    const [rows, head] = await Promise.all([readAuditRows(q), auditChainHead(q)]);
    const result = verifyChain(rows, head.start, this.key, this.readAnchor());
    if (result.ok) await this.advance(q);
    return result;
  }
}
