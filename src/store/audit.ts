// The audit trail: who changed access or settings, what and when. Rows are written in the
// same transaction as the change they record, so a change is never without its row.
import type { Queryable } from './db.js';

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

export async function recordAudit(q: Queryable, e: AuditWrite): Promise<void> {
  await q.query(
    'INSERT INTO audit_event (actor, action, subject_kind, subject_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb)',
    [e.actor, e.action, e.subjectKind ?? null, e.subjectId ?? null, JSON.stringify(e.detail ?? {})],
  );
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
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  }));
}
