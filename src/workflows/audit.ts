// The audit trail: its entries, newest first or all oldest first for export, and the check of
// its hash chain against this node's key and anchor. Called alike by the server and the CLI.
import type { AuditEntry, AuditVerification } from '../model/index.js';
import { auditEntryOf, readAuditRows } from '../store/index.js';
import type { Context } from './context.js';

/** The newest `limit` entries, newest first. */
export async function auditEntries(ctx: Pick<Context, 'store'>, opts: { limit?: number } = {}): Promise<AuditEntry[]> {
  return (await readAuditRows(ctx.store.db, { newest: opts.limit ?? 100 })).map(auditEntryOf);
}

/** Every entry, oldest first, with its place in the chain: what `audit export` writes. */
export async function exportAudit(ctx: Pick<Context, 'store'>): Promise<AuditEntry[]> {
  return (await readAuditRows(ctx.store.db)).map(auditEntryOf);
}

/** Checks the chain: positions, links, hashes, MACs, the legacy entries' count and the anchor. */
export function verifyAudit(ctx: Pick<Context, 'store'>): Promise<AuditVerification> {
  return ctx.store.audit.verify(ctx.store.db);
}
