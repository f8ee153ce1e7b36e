// The review part of `npm run bench -- validate`: the example world runs once with the three
// bad-deploy scenarios (inventory-timeout, slow-dependency, cart-badge); then every commit of
// the shop's history is reviewed over the API (POST /api/reviews, parent..commit) as of its
// own deploy — the first world deploy of one of its services that shipped it (baselines
// included, dated before any traffic), or the world's end for a commit no deploy shipped (docs,
// CI). Production is read only up to that moment. Scored against the history's culprits: each
// culprit must be rated high with a reason placed in the culprit's file; no more than 20% of the
// benign commits may be rated high.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HistoryCommit, type ScenarioName, memoryOutput, readHistory, runDemo } from '../../src/demo/index.js';
import type { Review } from '../../src/model/index.js';
import { table } from './format.js';
import { freePort } from './server-process.js';

const HISTORY = fileURLToPath(new URL('../../examples/shop/history', import.meta.url));
const SCENARIOS: ScenarioName[] = ['inventory-timeout', 'slow-dependency', 'cart-badge'];
const SHOP = ['web', 'cart', 'catalog', 'payments'];
/** At most this share of benign commits rated high. */
export const MAX_BENIGN_HIGH = 0.2;

export interface ReviewRow {
  id: string;
  sha: string;
  asOf: string;
  /** What dated the review: `deploy cart/v1.3.1`, `baseline …`, or `never deployed`. */
  shippedBy: string;
  culprit: string | null;
  tier: string;
  reasons: string[];
  ok: boolean;
  ms: number;
}

export interface ReviewValidation {
  rows: ReviewRow[];
  /**
   * Not the check: every benign commit reviewed again as of the world's end, when production
   * holds minutes for all its services (most benign commits went out with a baseline, before any
   * traffic, so the check reviews them with none). The ones rated high, with their reasons.
   */
  benignAtEnd: { total: number; high: Array<{ id: string; reasons: string[] }> };
  culprits: { total: number; high: number };
  benign: { total: number; high: number };
  pass: boolean;
}

/** The shop services a commit ships: its service folders and manifests; shared lib/ goes with every service. */
function servicesOf(c: HistoryCommit): string[] {
  const out = new Set<string>();
  for (const p of [...c.files, ...c.delete]) {
    const s = /^services\/([^/]+)\//.exec(p)?.[1] ?? /^deploy\/k8s\/([^/.]+)\.ya?ml$/.exec(p)?.[1];
    if (s && SHOP.includes(s)) out.add(s);
    if (p.startsWith('lib/')) for (const x of SHOP) out.add(x);
  }
  return [...out];
}

async function review(api: string, range: string, asOf: string): Promise<Review> {
  const res = await fetch(`${api}/api/reviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ range, asOf }),
  });
  const body = (await res.json()) as { review?: Review; message?: string };
  if (!res.ok || !body.review) throw new Error(`POST /api/reviews ${res.status}: ${body.message ?? ''}`);
  return body.review;
}

export async function validateReview(opts: {
  durationS: number;
  seed: number;
  keep: boolean;
  log: (line: string) => void;
}): Promise<ReviewValidation> {
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-validate-review-'));
  const history = readHistory(HISTORY);
  const world = await runDemo({
    scenarios: SCENARIOS,
    durationS: opts.durationS,
    seed: opts.seed,
    dir,
    port: await freePort(),
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    users: 400,
    accounts: 90,
    baseRps: 20,
    out: memoryOutput(),
  });
  try {
    const end = new Date().toISOString();
    const shas = execFileSync('git', ['-C', world.repoDir, 'rev-list', '--reverse', 'HEAD'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const indexOf = new Map(shas.map((s, i) => [s, i]));
    const deploys = [...world.deploys].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const rows: ReviewRow[] = [];
    for (let i = 1; i < history.length; i++) {
      const c = history[i]!;
      const services = servicesOf(c);
      const ship = deploys.find((d) => services.includes(d.service) && (indexOf.get(d.sha) ?? -1) >= i);
      const asOf = ship?.at ?? end;
      const t0 = Date.now();
      const r = await review(world.api, `${shas[i - 1]}..${shas[i]}`, asOf);
      const high = r.reasons.filter((x) => x.tier === 'high');
      const culprit = c.culprit?.file ?? null;
      // A culprit is caught by a high reason placed in its file (its line there, or its evidence naming it).
      const caught =
        culprit !== null &&
        high.some((x) => x.at?.path === culprit || x.evidence.some((e) => e.ref.startsWith(`${culprit} `)));
      rows.push({
        id: c.id,
        sha: shas[i]!.slice(0, 10),
        asOf,
        shippedBy: ship
          ? `${ship.scenario ? 'deploy' : Date.parse(ship.at) < Date.parse(world.truth[0]?.startedAt ?? end) ? 'baseline' : 'noise'} ${ship.tag}`
          : 'never deployed',
        culprit: c.culprit ? c.culprit.scenario : null,
        tier: r.tier,
        reasons: r.reasons.map((x) => `${x.tier} ${x.rule}${x.at ? ` @${x.at.path}:${x.at.startLine}` : ''}`),
        ok: culprit === null ? r.tier !== 'high' : caught,
        ms: Date.now() - t0,
      });
      opts.log(`${c.id}: ${r.tier} (${rows.at(-1)!.shippedBy})`);
    }
    const atEnd: ReviewValidation['benignAtEnd'] = { total: 0, high: [] };
    for (let i = 1; i < history.length; i++) {
      if (history[i]!.culprit) continue;
      atEnd.total++;
      const r = await review(world.api, `${shas[i - 1]}..${shas[i]}`, end);
      if (r.tier === 'high')
        atEnd.high.push({
          id: history[i]!.id,
          reasons: r.reasons.filter((x) => x.tier === 'high').map((x) => `${x.rule}: ${x.finding}`),
        });
    }
    const culprits = rows.filter((r) => r.culprit !== null);
    const benign = rows.filter((r) => r.culprit === null);
    const benignHigh = benign.filter((r) => r.tier === 'high').length;
    return {
      rows,
      benignAtEnd: atEnd,
      culprits: { total: culprits.length, high: culprits.filter((r) => r.ok).length },
      benign: { total: benign.length, high: benignHigh },
      pass: culprits.every((r) => r.ok) && benignHigh <= MAX_BENIGN_HIGH * benign.length,
    };
  } finally {
    await world.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export function reviewTable(v: ReviewValidation): string {
  const rows = v.rows.map((r) => [
    r.id,
    r.sha,
    r.shippedBy,
    r.culprit ?? '',
    r.tier,
    r.ok ? 'ok' : 'WRONG',
    r.reasons.length ? r.reasons.join('; ') : '–',
  ]);
  return [
    table(['commit', 'sha', 'reviewed as of', 'culprit of', 'tier', 'check', 'reasons'], rows),
    '',
    `culprits rated high with a reason in their file: ${v.culprits.high}/${v.culprits.total}`,
    `benign commits rated high: ${v.benign.high}/${v.benign.total} (at most ${Math.round(MAX_BENIGN_HIGH * 100)}%)`,
    `review: ${v.pass ? 'PASS' : 'FAIL'}`,
    '',
    `not the check — benign commits rated high when reviewed as of the world's end (production for every service): ${v.benignAtEnd.high.length}/${v.benignAtEnd.total}`,
    ...v.benignAtEnd.high.map((h) => `  ${h.id}: ${h.reasons.join('; ')}`),
  ].join('\n');
}
