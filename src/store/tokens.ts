// API tokens. The clear token is shown once at creation; only its SHA-256 is stored.
// Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken } from '../model/index.js';
import type { Queryable } from './db.js';

const PREFIX = 'orr_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export class TokenNameTakenError extends Error {}
export class InvalidTokenNameError extends Error {}

/** Why a token name is unusable, or null. All-digit names would be read as ids by revoke. */
export function tokenNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > 128) return 'must be 1 to 128 characters';
  if (!/^[\w.@:-]+$/.test(name)) return 'use letters, digits and . _ - @ : only';
  if (/^\d+$/.test(name)) return 'must not be all digits (those are read as token ids)';
  return null;
}

function toToken(r: Record<string, unknown>): ApiToken {
  return {
    id: r.id as number,
    name: r.name as string,
    prefix: r.prefix as string,
    createdAt: r.created_at as Date,
    lastUsedAt: (r.last_used_at as Date | null) ?? null,
    revokedAt: (r.revoked_at as Date | null) ?? null,
  };
}

export async function createToken(q: Queryable, name: string): Promise<{ token: string; record: ApiToken }> {
  const problem = tokenNameProblem(name);
  if (problem) throw new InvalidTokenNameError(`token name "${name}": ${problem}`);
  const existing = await q.query('SELECT 1 FROM api_token WHERE name = $1 AND revoked_at IS NULL', [name]);
  if (existing.length > 0)
    throw new TokenNameTakenError(`a live token named "${name}" already exists; revoke it first`);
  const token = generateToken();
  const rows = await q.query('INSERT INTO api_token (name, prefix, token_hash) VALUES ($1, $2, $3) RETURNING *', [
    name,
    token.slice(0, PREFIX.length + 6),
    hashToken(token),
  ]);
  return { token, record: toToken(rows[0]!) };
}

export async function listTokens(q: Queryable): Promise<ApiToken[]> {
  return (await q.query('SELECT * FROM api_token ORDER BY id')).map(toToken);
}

/** Revokes by id or by name; returns the revoked tokens. */
export async function revokeToken(q: Queryable, idOrName: string): Promise<ApiToken[]> {
  const byId = /^\d+$/.test(idOrName);
  const rows = await q.query(
    `UPDATE api_token SET revoked_at = now() WHERE revoked_at IS NULL AND ${byId ? 'id = $1' : 'name = $1'} RETURNING *`,
    [byId ? Number(idOrName) : idOrName],
  );
  return rows.map(toToken);
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
