// Secrets generated once per install and kept in the database (table instance_secret):
// they never leave it, and every Orrery node sharing the database uses the same ones.
import { randomBytes } from 'node:crypto';
import type { Queryable } from './db.js';

/** The key of email hashes (analysis/identity-hash): one per install, made on first use. */
export const EMAIL_HASH_KEY = 'email-hash-key';

/** Gets the named per-install secret, creating it (256 random bits) the first time. Safe under concurrency. */
export async function instanceSecret(q: Queryable, name: string): Promise<string> {
  await q.query('INSERT INTO instance_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
    name,
    randomBytes(32).toString('hex'),
  ]);
  const rows = await q.query<{ value: string }>('SELECT value FROM instance_secret WHERE name = $1', [name]);
  return rows[0]!.value;
}
