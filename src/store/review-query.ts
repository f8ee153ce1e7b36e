// What a review reads beside the blast radius: how often each changed file held a suspect
// commit in past investigations, and who changed each file most recently before the range.
import type { Queryable } from './db.js';

/**
 * Per path, the investigations created before `before` with a suspect_commit finding whose
 * files include it. A re-run counts as another investigation (it is one more time the file was
 * suspected); paths never suspected are absent.
 */
export async function suspectFileCounts(
  q: Queryable,
  paths: readonly string[],
  before: Date,
): Promise<Map<string, number>> {
  if (paths.length === 0) return new Map();
  const rows = await q.query<{ path: string; n: number }>(
    `SELECT file AS path, count(DISTINCT i.id)::int8 AS n
       FROM investigation i
       CROSS JOIN LATERAL jsonb_array_elements(COALESCE(i.result->'findings', '[]'::jsonb)) f
       CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(f->'data'->'files', '[]'::jsonb)) file
      WHERE i.created_at < $2 AND f->>'kind' = 'suspect_commit' AND file = ANY($1::text[])
      GROUP BY file`,
    [[...paths], before],
  );
  return new Map(rows.map((r) => [r.path, Number(r.n)]));
}

/**
 * Per path, the names of the latest authors (at most `perPath`, newest first) of its commits
 * committed before `before`, leaving out the commits listed in `exclude` (the range reviewed).
 */
export async function recentAuthors(
  q: Queryable,
  repositoryId: number,
  paths: readonly string[],
  opts: { before: Date; exclude: readonly string[]; perPath?: number },
): Promise<Map<string, string[]>> {
  if (paths.length === 0) return new Map();
  const rows = await q.query<{ path: string; author: string }>(
    `SELECT path, author FROM (
       SELECT cf.path, c.author_name AS author, max(c.committed_at) AS at,
              row_number() OVER (PARTITION BY cf.path ORDER BY max(c.committed_at) DESC) AS rank
         FROM commit_file cf JOIN commit c ON c.repository_id = cf.repository_id AND c.sha = cf.sha
        WHERE cf.repository_id = $1 AND cf.path = ANY($2::text[]) AND c.committed_at < $3
          AND NOT (c.sha = ANY($4::text[])) AND c.author_name IS NOT NULL
        GROUP BY cf.path, c.author_name) a
      WHERE rank <= $5 ORDER BY path, at DESC`,
    [repositoryId, [...paths], opts.before, [...opts.exclude], opts.perPath ?? 3],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.path, [...(out.get(r.path) ?? []), r.author]);
  return out;
}

/**
 * The names commit authors go by for emails stored as keyed hashes (`h:…`, the same key for
 * CODEOWNERS entries and commit authors), the most recent name per hash.
 */
export async function authorNamesOfHashes(
  q: Queryable,
  repositoryId: number,
  hashes: readonly string[],
): Promise<Map<string, string>> {
  if (hashes.length === 0) return new Map();
  const rows = await q.query<{ hash: string; name: string }>(
    `SELECT DISTINCT ON (author_email_hash) author_email_hash AS hash, author_name AS name
       FROM commit WHERE repository_id = $1 AND author_email_hash = ANY($2::text[]) AND author_name IS NOT NULL
      ORDER BY author_email_hash, committed_at DESC`,
    [repositoryId, [...hashes]],
  );
  return new Map(rows.map((r) => [r.hash, r.name]));
}
