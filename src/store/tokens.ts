// API tokens. The clear token is shown once at creation; only its SHA-256 is stored.
// Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import { type ApiToken, GENERAL_TOKEN_ROLES, type TokenRole } from '../model/index.js';
import { recordAudit } from './audit.js';
import type { Db, Queryable } from './db.js';

const PREFIX = 'orr_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A DSN's key: 256 random bits as hex, since Sentry SDKs read a DSN's key as `\w+` only (no
 * prefix with `_` would break them either, but hex is what their DSNs always carry).
 */
export function generateSentryKey(): string {
  return randomBytes(32).toString('hex');
}

export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export class TokenNameTakenError extends Error {}
export class InvalidTokenNameError extends Error {}
export class InvalidTokenRoleError extends Error {}

/** Why a token name is unusable, or null. All-digit names would be read as ids by revoke. */
export function tokenNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > 128) return 'must be 1 to 128 characters';
  if (!/^[\w.@:-]+$/.test(name)) return 'use letters, digits and . _ - @ : only';
  if (/^\d+$/.test(name)) return 'must not be all digits (those are read as token ids)';
  return null;
}

export function toToken(r: Record<string, unknown>): ApiToken {
  return {
    id: r.id as number,
    name: r.name as string,
    role: r.role as TokenRole,
    prefix: r.prefix as string,
    createdAt: r.created_at as Date,
    lastUsedAt: (r.last_used_at as Date | null) ?? null,
    revokedAt: (r.revoked_at as Date | null) ?? null,
  };
}

export interface TokenChangeOptions {
  /** Who acts, for the audit row: `token:<id>`, `anonymous-loopback`, `cli-offline`, `bootstrap`. */
  actor: string;
  /** Signs the audit row (the Store's AuditTrail key). */
  auditKey: Buffer;
}

export interface CreateTokenOptions extends TokenChangeOptions {
  role: TokenRole;
}

/** Creates a live token and its audit row in one transaction. */
export async function createToken(
  db: Db,
  name: string,
  opts: CreateTokenOptions,
): Promise<{ token: string; record: ApiToken }> {
  const problem = tokenNameProblem(name);
  if (problem) throw new InvalidTokenNameError(`token name "${name}": ${problem}`);
  if (!(GENERAL_TOKEN_ROLES as readonly TokenRole[]).includes(opts.role))
    throw new InvalidTokenRoleError(
      opts.role === 'sentry-ingest'
        ? 'a sentry-ingest key belongs to a project: make it with `orrery sentry project create NAME`'
        : `token role "${opts.role}": use one of ${GENERAL_TOKEN_ROLES.join(', ')}`,
    );
  return db.transaction(async (tx) => {
    const existing = await tx.query('SELECT 1 FROM api_token WHERE name = $1 AND revoked_at IS NULL', [name]);
    if (existing.length > 0)
      throw new TokenNameTakenError(`a live token named "${name}" already exists; revoke it first`);
    const token = generateToken();
    const rows = await tx.query(
      'INSERT INTO api_token (name, role, prefix, token_hash) VALUES ($1, $2, $3, $4) RETURNING *',
      [name, opts.role, token.slice(0, PREFIX.length + 6), hashToken(token)],
    );
    const record = toToken(rows[0]!);
    await recordAudit(
      tx,
      {
        actor: opts.actor,
        action: 'token.create',
        subjectKind: 'api_token',
        subjectId: String(record.id),
        detail: { name, role: record.role },
      },
      opts.auditKey,
    );
    return { token, record };
  });
}

export async function listTokens(q: Queryable): Promise<ApiToken[]> {
  return (await q.query('SELECT * FROM api_token ORDER BY id')).map(toToken);
}

/** Revokes by id or by name; returns the revoked tokens, each with its audit row. */
export async function revokeToken(db: Db, idOrName: string, opts: TokenChangeOptions): Promise<ApiToken[]> {
  const byId = /^\d+$/.test(idOrName);
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `UPDATE api_token SET revoked_at = now() WHERE revoked_at IS NULL AND ${byId ? 'id = $1' : 'name = $1'} RETURNING *`,
      [byId ? Number(idOrName) : idOrName],
    );
    const revoked = rows.map(toToken);
    for (const t of revoked) {
      await recordAudit(
        tx,
        {
          actor: opts.actor,
          action: 'token.revoke',
          subjectKind: 'api_token',
          subjectId: String(t.id),
          detail: { name: t.name, role: t.role },
        },
        opts.auditKey,
      );
    }
    return revoked;
  });
}

/** The live token with this clear value, or null. */
export async function verifyToken(q: Queryable, token: string): Promise<ApiToken | null> {
  const rows = await q.query('SELECT * FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL', [
    hashToken(token),
  ]);
  return rows[0] ? toToken(rows[0]) : null;
}

export async function touchToken(q: Queryable, id: number): Promise<void> {
  await q.query('UPDATE api_token SET last_used_at = now() WHERE id = $1', [id]);
}

/**
 * A mark that changes whenever a token is revoked (the revoked count and the latest revocation):
 * a node that caches verified tokens compares it to learn of revocations made by any node.
 */
export async function revocationMark(q: Queryable): Promise<string> {
  const [r] = await q.query(
    "SELECT count(revoked_at)::int8 AS n, COALESCE(to_char(max(revoked_at), 'YYYY-MM-DD HH24:MI:SS.US'), '') AS at FROM api_token",
  );
  return `${Number(r?.n ?? 0)}@${String(r?.at ?? '')}`;
}
