// Investigations: each run is a row holding its whole result (investigate@5 JSON); a re-run
// of the same subject points at the run before it and stores the diff against it.
import type {
  Investigation,
  InvestigationDiff,
  InvestigationResult,
  InvestigationSubject,
  InvestigationSummary,
} from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { isoOrNull } from './timestamps.js';

function toInvestigation(r: Row): Investigation {
  return {
    id: Number(r.id),
    problemId: r.problem_id === null ? null : Number(r.problem_id),
    createdAt: (r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at))).toISOString(),
    previousId: r.previous_id === null ? null : Number(r.previous_id),
    result: r.result as InvestigationResult,
    diff: (r.diff as InvestigationDiff | null) ?? null,
  };
}

/** The subject as a stable JSON value: the same subject always serialises the same way. */
export function subjectKey(s: InvestigationSubject): Record<string, unknown> {
  if (s.kind === 'ticket') return { kind: s.kind, ticketId: s.ticketId };
  if (s.kind === 'problem') return { kind: s.kind, problemId: s.problemId };
  return { kind: s.kind, service: s.service, endpoint: s.endpoint ?? null, since: s.since };
}

export async function latestForSubject(db: Queryable, subject: InvestigationSubject): Promise<Investigation | null> {
  const rows = await db.query('SELECT * FROM investigation WHERE subject = $1::jsonb ORDER BY id DESC LIMIT 1', [
    JSON.stringify(subjectKey(subject)),
  ]);
  return rows[0] ? toInvestigation(rows[0]) : null;
}

export async function insertInvestigation(
  db: Queryable,
  input: {
    result: InvestigationResult;
    problemId: number | null;
    previousId: number | null;
    diff: InvestigationDiff | null;
  },
): Promise<Investigation> {
  const rows = await db.query(
    `INSERT INTO investigation (problem_id, subject, algorithm, result, previous_id, diff)
     VALUES ($1, $2::jsonb, $3, $4::jsonb, $5, $6::jsonb) RETURNING *`,
    [
      input.problemId,
      JSON.stringify(subjectKey(input.result.subject)),
      input.result.algorithm,
      JSON.stringify(input.result),
      input.previousId,
      input.diff === null ? null : JSON.stringify(input.diff),
    ],
  );
  return toInvestigation(rows[0]!);
}

export async function getInvestigation(db: Queryable, id: number): Promise<Investigation | null> {
  const rows = await db.query('SELECT * FROM investigation WHERE id = $1', [id]);
  return rows[0] ? toInvestigation(rows[0]) : null;
}

// The shape is the API's (model/investigation.ts); re-exported for the store's callers.
export type { InvestigationSummary } from '../model/index.js';

export async function listInvestigations(db: Queryable, limit: number): Promise<InvestigationSummary[]> {
  const rows = await db.query(
    `SELECT id, created_at, previous_id, result->'subject' AS subject,
            jsonb_array_length(result->'findings') AS findings, (result->'priority'->>'score')::float8 AS priority
       FROM investigation ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    createdAt: (r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at))).toISOString(),
    subject: r.subject as InvestigationSubject,
    previousId: r.previous_id === null ? null : Number(r.previous_id),
    findings: Number(r.findings),
    priority: r.priority === null ? null : Number(r.priority),
  }));
}

/** What `investigate problem` starts from: the problem row and its tickets. */
export interface ProblemSubjectRow {
  id: number;
  title: string;
  status: string;
  service: string | null;
  key: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  ticketIds: number[];
}

export async function problemSubject(db: Queryable, id: number): Promise<ProblemSubjectRow | null> {
  const rows = await db.query(
    `SELECT p.id, p.title, p.status, p.service, p.fingerprint, p.first_seen, p.last_seen,
       COALESCE((SELECT array_agg(t.id ORDER BY t.id) FROM ticket t WHERE t.problem_id = p.id), '{}') AS tickets
     FROM problem p WHERE p.id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    title: r.title as string,
    status: r.status as string,
    service: (r.service as string | null) ?? null,
    key: (r.fingerprint as string | null) ?? null,
    firstSeen: isoOrNull(r.first_seen),
    lastSeen: isoOrNull(r.last_seen),
    ticketIds: ((r.tickets as Array<number | string>) ?? []).map(Number),
  };
}
