// Code localization from text (the no-telemetry case of an investigation): a ticket's words
// go to source files by BM25F over each file's path, symbol names and content, and the
// files named by the stack frames in the ticket are lifted above text matches, innermost
// first. Pure: the caller reads the files and extracts their symbols.
import { parseStackTrace } from '../errors/index.js';
import { Bm25Index, type FieldSpec, type QueryTerm, dampen, queryTerms } from './bm25.js';
import { tokenize } from './tokenize.js';

export const LOCALIZE_ALGORITHM = 'localize-text@1';

export interface CodeDocument {
  /** The file's path in its repository (`src/orders/service.ts`). */
  path: string;
  /** Names the file defines: classes, functions, methods (`Class.method` or bare). */
  symbols?: readonly string[];
  /** The file's text. */
  content?: string;
}

export interface LocalizeQuery {
  title?: string;
  body?: string;
}

export interface LocalizeOptions {
  /** How many files to return (default 10). */
  limit?: number;
  /** The boost for the file named by the innermost matching frame (default FRAME_BOOST). */
  frameBoost?: number;
}

export interface FileCandidate {
  path: string;
  score: number;
  /** Why, in a sentence: the stack frame that named the file and/or the words that matched. */
  hint: string;
  /** The words with the largest share of the text score. */
  terms: string[];
  /** Position (0 = innermost) of the first stack frame in the ticket naming this file, or null. */
  frame: number | null;
}

export type CodeField = 'path' | 'symbols' | 'content';

/** Field weights and normalisation: the short, telling fields (path, names) weigh 3 and 2
 *  with b 0.5, the long content 1 with b 0.75, k1 1.2, as for tickets. Results on
 *  bug-localization data barely move across weights 1-5 and k1 1.2-2 (see the accuracy bench). */
export const CODE_FIELDS: Readonly<Record<CodeField, FieldSpec>> = {
  path: { weight: 3, b: 0.5 },
  symbols: { weight: 2, b: 0.5 },
  content: { weight: 1, b: 0.75 },
};
const TITLE_WEIGHT = 2;
/** A file named by the innermost matching frame gets this much on top of a text score in
 *  [0, 1]; the n-th distinct file named by frames gets FRAME_BOOST / (1 + n). */
const FRAME_BOOST = 1;

export interface CodeIndex {
  readonly algorithm: string;
  readonly paths: readonly string[];
  readonly bm25: Bm25Index<CodeField>;
  /** Lower-cased file name → the documents with it, for resolving stack frames. */
  readonly byBaseName: ReadonlyMap<string, readonly number[]>;
}

function pathTerms(path: string): string[] {
  // Each segment is tokenized as a name, so `OrderService.java` gives `orderservice`.
  return path.split(/[\\/]/).flatMap((seg) => tokenize(seg.replace(/\.[^.]*$/, '')));
}

export interface CodeIndexOptions {
  /** Field weights and b (default CODE_FIELDS); for experiments, results change with them. */
  fields?: Readonly<Record<CodeField, FieldSpec>>;
  /** BM25 k1 (default 1.2). */
  k1?: number;
}

/** Indexes files once for many localizeText calls. */
export function buildCodeIndex(docs: readonly CodeDocument[], opts: CodeIndexOptions = {}): CodeIndex {
  const byBaseName = new Map<string, number[]>();
  const fieldDocs = docs.map((d, i) => {
    const base = baseName(d.path).toLowerCase();
    const list = byBaseName.get(base);
    if (list) list.push(i);
    else byBaseName.set(base, [i]);
    return {
      path: pathTerms(d.path),
      symbols: (d.symbols ?? []).flatMap((s) => tokenize(s)),
      content: d.content ? tokenize(d.content) : [],
    };
  });
  return {
    algorithm: LOCALIZE_ALGORITHM,
    paths: docs.map((d) => d.path),
    bm25: Bm25Index.build(fieldDocs, opts.fields ?? CODE_FIELDS, { k1: opts.k1 }),
    byBaseName,
  };
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}

function segments(p: string): string[] {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

/**
 * The indexed file a stack frame names: the files with the frame's file name, and among
 * them those sharing the longest path suffix with the frame (for the JVM the package path
 * stands in for the directory). Several when the frame cannot tell them apart.
 */
function resolveFrame(index: CodeIndex, file: string, module: string | null, runtime: string): readonly number[] {
  const base = baseName(file);
  const cands = index.byBaseName.get(base.toLowerCase());
  if (!cands || cands.length === 0) return [];
  if (cands.length === 1) return cands;
  let wanted = segments(file);
  if (runtime === 'java' && module) {
    const pkg = module.split('.').slice(0, -1);
    wanted = [...pkg, base];
  }
  let best = -1;
  let out: number[] = [];
  for (const d of cands) {
    const have = segments(index.paths[d]!);
    let k = 0;
    while (k < have.length && k < wanted.length && have[have.length - 1 - k] === wanted[wanted.length - 1 - k]) k++;
    if (k > best) {
      best = k;
      out = [d];
    } else if (k === best) out.push(d);
  }
  return out;
}

/** Files named by the stack traces in a text, in frame order (innermost first, then causes). */
function frameFiles(index: CodeIndex, text: string): number[][] {
  const parsed = parseStackTrace(text);
  if (parsed.frames.length === 0) return [];
  const out: number[][] = [];
  for (const frames of [parsed.frames, ...parsed.causes.map((c) => c.frames)]) {
    for (const f of frames) {
      const docs = resolveFrame(index, f.file, f.module, parsed.runtime);
      if (docs.length > 0) out.push([...docs]);
    }
  }
  return out;
}

function toQuery(q: string | LocalizeQuery): { text: string; terms: QueryTerm[] } {
  const { title = '', body = '' } = typeof q === 'string' ? { body: q } : q;
  const counts = queryTerms(tokenize(title), TITLE_WEIGHT);
  queryTerms(tokenize(body), 1, counts);
  return { text: `${title}\n${body}`, terms: dampen(counts) };
}

/**
 * The files a ticket most likely concerns, best first. The score is the BM25F text score
 * divided by the best file's (so in [0, 1]) plus a boost for files its stack frames name.
 * Pass a CodeIndex to query the same files many times.
 */
export function localizeText(
  query: string | LocalizeQuery,
  documents: CodeIndex | readonly CodeDocument[],
  opts: LocalizeOptions = {},
): FileCandidate[] {
  const index = 'bm25' in documents ? documents : buildCodeIndex(documents);
  const limit = opts.limit ?? 10;
  const { text, terms } = toQuery(query);
  const scores = index.bm25.scoreAll(terms);
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max > 0) for (let i = 0; i < scores.length; i++) scores[i]! /= max;
  const text01 = Float64Array.from(scores);
  const firstFrame = new Map<number, number>();
  let rank = 0;
  for (const docs of frameFiles(index, text)) {
    if (docs.every((d) => firstFrame.has(d))) continue;
    for (const d of docs) {
      if (firstFrame.has(d)) continue;
      firstFrame.set(d, rank);
      scores[d]! += (opts.frameBoost ?? FRAME_BOOST) / (1 + rank) / docs.length;
    }
    rank++;
  }
  const ranked: number[] = [];
  for (let d = 0; d < scores.length; d++) if (scores[d]! > 0) ranked.push(d);
  ranked.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return ranked.slice(0, limit).map((d) => {
    const top = index.bm25
      .explain(terms, d)
      .slice(0, 5)
      .map((c) => c.term);
    const frame = firstFrame.get(d) ?? null;
    const why: string[] = [];
    if (frame !== null) why.push(`named by stack frame #${frame + 1} of the ticket`);
    if (text01[d]! > 0) why.push(`text match ${text01[d]!.toFixed(2)} of the best (${top.join(', ')})`);
    return { path: index.paths[d]!, score: scores[d]!, hint: why.join('; '), terms: top, frame };
  });
}
