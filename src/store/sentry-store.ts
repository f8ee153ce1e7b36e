// Sentry projects and their DSN keys. A project is a name (the service its events go to unless
// they name their own) and a number (Sentry SDKs want a numeric project id in the DSN); its key
// is an api_token of role `sentry-ingest` bound to it, stored hashed like every token, named
// `sentry:<project>`, and revoked with `orrery token revoke`.
import type { ApiToken, SentryProject } from '../model/index.js';

export type { SentryProject };
import { recordAudit } from './audit.js';
import type { Db, Queryable } from './db.js';
import { generateSentryKey, hashToken, toToken } from './tokens.js';

export class SentryProjectError extends Error {}

/** A verified DSN key: the token row and the project it posts to. */
export interface SentryKey {
  token: ApiToken;
  projectId: number;
  projectName: string;
}

/** Why a project name is unusable, or null. All-digit names would be read as project ids. */
export function sentryProjectNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > 100) return 'must be 1 to 100 characters';
  if (!/^[\w.-]+$/.test(name)) return 'use letters, digits and . _ - only';
  if (/^\d+$/.test(name)) return 'must not be all digits (those are read as project ids)';
  return null;
}

export interface CreateSentryProjectOptions {
  actor: string;
  auditKey: Buffer;
}

/** A project of that name already has a live key (a DSN in use is never replaced silently). */
export class SentryProjectTakenError extends Error {}

/**
 * Creates the project and its key, audited, in one transaction. A project whose key was revoked
 * gets a new key (same id, so only the key in its DSN changes).
 */
export async function createSentryProject(
  db: Db,
  name: string,
  opts: CreateSentryProjectOptions,
): Promise<{ project: SentryProject; key: string; record: ApiToken }> {
  const problem = sentryProjectNameProblem(name);
  if (problem) throw new SentryProjectError(`project name "${name}": ${problem}`);
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO sentry_project (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    const p = (await tx.query('SELECT id, name, created_at FROM sentry_project WHERE name = $1', [name]))[0]!;
    const projectId = Number(p.id);
    const tokenName = `sentry:${name}`;
    const live = await tx.query('SELECT 1 FROM api_token WHERE name = $1 AND revoked_at IS NULL', [tokenName]);
    if (live.length > 0)
      throw new SentryProjectTakenError(
        `the Sentry project "${name}" already has a key; to replace it, revoke it first (orrery token revoke ${tokenName})`,
      );
    const key = generateSentryKey();
    const rows = await tx.query(
      `INSERT INTO api_token (name, role, prefix, token_hash, sentry_project_id)
       VALUES ($1, 'sentry-ingest', $2, $3, $4) RETURNING *`,
      [tokenName, key.slice(0, 6), hashToken(key), projectId],
    );
    const record = toToken(rows[0]!);
    await recordAudit(
      tx,
      {
        actor: opts.actor,
        action: 'sentry.project.create',
        subjectKind: 'api_token',
        subjectId: String(record.id),
        detail: { name: record.name, role: record.role, project: name, projectId },
      },
      opts.auditKey,
    );
    return {
      project: { id: projectId, name: p.name as string, createdAt: p.created_at as Date, keys: 1 },
      key,
      record,
    };
  });
}

export async function listSentryProjects(q: Queryable): Promise<SentryProject[]> {
  const rows = await q.query(
    `SELECT p.id, p.name, p.created_at,
            (SELECT count(*) FROM api_token t WHERE t.sentry_project_id = p.id AND t.revoked_at IS NULL) AS keys
       FROM sentry_project p ORDER BY p.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name as string,
    createdAt: r.created_at as Date,
    keys: Number(r.keys),
  }));
}

/** The live DSN key with this clear value, with its project; null for anything else (other tokens included). */
export async function verifySentryKey(q: Queryable, key: string): Promise<SentryKey | null> {
  const rows = await q.query(
    `SELECT t.*, p.name AS project_name FROM api_token t JOIN sentry_project p ON p.id = t.sentry_project_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.role = 'sentry-ingest'`,
    [hashToken(key)],
  );
  const r = rows[0];
  if (!r) return null;
  return { token: toToken(r), projectId: Number(r.sentry_project_id), projectName: r.project_name as string };
}
