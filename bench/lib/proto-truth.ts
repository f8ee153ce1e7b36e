// `npm run bench -- index --proto-truth FILE`: each rpc's linked handler compared with a
// hand-read truth file ({ rpcs: [{ rpc: 'pkg.Service/Method', language, file, line, symbol }] }),
// per language: linked right (same file, and the same line or symbol name), linked wrong, not
// linked; and the rpcs linked that the truth does not list (their services are not in it).
import { readFileSync } from 'node:fs';
import type { RpcRecord } from '../../src/store/index.js';
import { table } from './format.js';

export interface TruthRpc {
  rpc: string;
  language: string;
  file: string;
  line: number;
  symbol: string;
}

export class TruthFileError extends Error {}

/** Reads the truth file; paths in it may be under a top folder (`opentelemetry-demo/`) that
 *  the indexed repository's root stands for. */
export function readTruth(path: string): TruthRpc[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TruthFileError(`--proto-truth ${path}: ${(err as Error).message}`);
  }
  const rpcs = (parsed as { rpcs?: unknown }).rpcs;
  if (!Array.isArray(rpcs)) throw new TruthFileError(`--proto-truth ${path}: no "rpcs" list`);
  return rpcs.map((r, i) => {
    const x = r as Partial<TruthRpc>;
    if (typeof x.rpc !== 'string' || !x.rpc.includes('/') || typeof x.file !== 'string' || typeof x.line !== 'number')
      throw new TruthFileError(`--proto-truth ${path}: rpcs[${i}] needs rpc "pkg.Service/Method", file and line`);
    return { rpc: x.rpc, language: x.language ?? '?', file: x.file, line: x.line, symbol: x.symbol ?? '' };
  });
}

export interface TruthScore {
  byLanguage: Record<string, { right: number; wrong: number; notLinked: number }>;
  details: Array<{
    rpc: string;
    language: string;
    outcome: 'right' | 'wrong' | 'not linked';
    linked: string | null;
    truth: string;
  }>;
  /** Rpcs linked to a handler that the truth does not list. */
  extra: Array<{ rpc: string; linked: string }>;
  allRight: boolean;
}

const last = (s: string) => s.slice(Math.max(s.lastIndexOf('.'), s.lastIndexOf(':')) + 1);

export function scoreTruth(truth: readonly TruthRpc[], rpcs: readonly RpcRecord[]): TruthScore {
  const byName = new Map(rpcs.map((r) => [`${r.service}/${r.method}`, r]));
  const score: TruthScore = { byLanguage: {}, details: [], extra: [], allRight: true };
  for (const t of truth) {
    const lang = score.byLanguage[t.language] ?? { right: 0, wrong: 0, notLinked: 0 };
    score.byLanguage[t.language] = lang;
    const r = byName.get(t.rpc);
    const h = r?.handler ?? null;
    const linked = h ? `${h.path}:${h.line} ${h.symbol}` : null;
    let outcome: 'right' | 'wrong' | 'not linked';
    if (!h) outcome = 'not linked';
    else {
      const sameFile = h.path === t.file || t.file.endsWith(`/${h.path}`) || h.path.endsWith(`/${t.file}`);
      outcome = sameFile && (h.line === t.line || last(h.symbol) === last(t.symbol)) ? 'right' : 'wrong';
    }
    if (outcome === 'right') lang.right++;
    else if (outcome === 'wrong') lang.wrong++;
    else lang.notLinked++;
    if (outcome !== 'right') score.allRight = false;
    score.details.push({ rpc: t.rpc, language: t.language, outcome, linked, truth: `${t.file}:${t.line} ${t.symbol}` });
  }
  const listed = new Set(truth.map((t) => t.rpc));
  for (const r of rpcs) {
    const name = `${r.service}/${r.method}`;
    if (r.handler && !listed.has(name))
      score.extra.push({ rpc: name, linked: `${r.handler.path}:${r.handler.line} ${r.handler.symbol}` });
  }
  return score;
}

export function renderTruth(score: TruthScore): string {
  const rows = Object.entries(score.byLanguage)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([lang, c]) => [lang, String(c.right), String(c.wrong), String(c.notLinked)]);
  let out = `${table(['language', 'linked right', 'linked wrong', 'not linked'], rows, new Set([1, 2, 3]))}\n`;
  for (const d of score.details)
    if (d.outcome !== 'right') out += `  ${d.outcome}: ${d.rpc} → ${d.linked ?? '-'} (truth ${d.truth})\n`;
  if (score.extra.length) {
    out += `linked, not in the truth file (${score.extra.length}):\n`;
    for (const e of score.extra) out += `  ${e.rpc} → ${e.linked}\n`;
  }
  return out;
}
