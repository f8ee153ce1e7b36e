// The fixture matrix of the analysis read side (test/fixtures/analysis-read/<case>.json):
// rows to seed, GET requests to make, and next to each case its `.expected.json` snapshot of
// every answer (status and body). UPDATE_FIXTURES=1 rewrites the snapshots: review the diff.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../../src/store/index.js';
import { type SeedRows, clearAnalysis, seedAnalysis } from './analysis-seed.js';

export const ANALYSIS_FIXTURES = 'test/fixtures/analysis-read';

export interface AnalysisCase {
  name: string;
  why: string;
  rows: SeedRows;
  requests: string[];
  /** Values the answer must be within 1% of (relative): quantiles against the exact rank value. */
  approx: Array<{ request: number; path: string; value: number }>;
}

export interface Answer {
  request: string;
  status: number;
  body: unknown;
}

export function analysisCases(): AnalysisCase[] {
  return readdirSync(ANALYSIS_FIXTURES)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      ...(JSON.parse(readFileSync(join(ANALYSIS_FIXTURES, f), 'utf8')) as Omit<AnalysisCase, 'name'>),
    }));
}

function at(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur;
}

/** Seeds the case into an emptied store, makes its requests, and compares with the snapshot. */
export async function checkAnalysisCase(
  c: AnalysisCase,
  db: Queryable,
  get: (url: string) => Promise<{ status: number; body: unknown }>,
): Promise<void> {
  await clearAnalysis(db);
  await seedAnalysis(db, c.rows);
  const answers: Answer[] = [];
  for (const request of c.requests) answers.push({ request, ...(await get(request)) });
  for (const a of c.approx) {
    const got = at(answers[a.request]!.body, a.path);
    assert.equal(typeof got, 'number', `${c.name}: ${a.path} of request ${a.request} is a number`);
    const err = Math.abs((got as number) - a.value) / a.value;
    assert.ok(err <= 0.01, `${c.name}: ${a.path} = ${got}, not within 1% of ${a.value}`);
  }
  const file = join(ANALYSIS_FIXTURES, `${c.name}.expected.json`);
  if (process.env.UPDATE_FIXTURES === '1') writeFileSync(file, `${JSON.stringify(answers, null, 2)}\n`);
  const expected = JSON.parse(readFileSync(file, 'utf8')) as Answer[];
  assert.equal(answers.length, expected.length, `${c.name}: number of requests`);
  for (let i = 0; i < answers.length; i++)
    assert.deepEqual(answers[i], expected[i], `${c.name}: ${answers[i]!.request}`);
}
