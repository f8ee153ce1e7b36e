// BM25F over documents with named fields: built once (terms get ids, postings live in typed
// arrays) and queried many times. A term's frequency in a document is each field's count,
// length-normalised by that field's b and scaled by its weight, summed before saturation
// (Robertson & Zaragoza's BM25F), so a term in a short, heavy field such as a title or a
// file name counts more than the same term deep in a body.

export interface FieldSpec {
  /** Multiplies the field's term counts. */
  weight: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  b: number;
}

export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
}

/** One term of a query and how much it counts (its repeats, or a field's weight). */
export interface QueryTerm {
  term: string;
  weight: number;
}

export interface ScoredDoc {
  /** The document's position in the list the index was built from. */
  doc: number;
  score: number;
}

export interface ScoreOptions {
  /** How many documents to return, best first (default 10). */
  limit?: number;
  /** Only documents this accepts are ranked. */
  accept?: (doc: number) => boolean;
}

/** What one query term added to one document's score. */
export interface TermContribution {
  term: string;
  score: number;
}

export class Bm25Index<F extends string = string> {
  readonly size: number;
  /** The fields it was built with. */
  readonly fields: readonly F[];
  private readonly k1: number;
  private readonly termIds: Map<string, number>;
  private readonly offsets: Int32Array;
  private readonly postDoc: Int32Array;
  private readonly postTf: Float32Array;
  private readonly idfs: Float64Array;

  private constructor(
    fields: readonly F[],
    size: number,
    k1: number,
    termIds: Map<string, number>,
    offsets: Int32Array,
    postDoc: Int32Array,
    postTf: Float32Array,
  ) {
    this.fields = fields;
    this.size = size;
    this.k1 = k1;
    this.termIds = termIds;
    this.offsets = offsets;
    this.postDoc = postDoc;
    this.postTf = postTf;
    this.idfs = new Float64Array(termIds.size);
    for (let t = 0; t < termIds.size; t++) {
      const df = offsets[t + 1]! - offsets[t]!;
      this.idfs[t] = Math.log(1 + (size - df + 0.5) / (df + 0.5));
    }
  }

  /**
   * Indexes documents given as their terms per field (fields missing from a document are
   * empty). Linear in the total number of terms.
   */
  static build<F extends string>(
    docs: readonly Partial<Record<F, readonly string[]>>[],
    fields: Readonly<Record<F, FieldSpec>>,
    opts: Bm25Options = {},
  ): Bm25Index<F> {
    const names = Object.keys(fields) as F[];
    const termIds = new Map<string, number>();
    const idOf = (t: string) => {
      let id = termIds.get(t);
      if (id === undefined) {
        id = termIds.size;
        termIds.set(t, id);
      }
      return id;
    };
    // Pass 1: each document's counts per field, as parallel (term id, count) arrays.
    const perDoc: { ids: Int32Array; counts: Int32Array; len: number }[][] = [];
    const totalLen = new Float64Array(names.length);
    for (const doc of docs) {
      const row = names.map((name, fi) => {
        const terms = doc[name] ?? [];
        const counts = new Map<number, number>();
        for (const t of terms) {
          const id = idOf(t);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        totalLen[fi]! += terms.length;
        return { ids: Int32Array.from(counts.keys()), counts: Int32Array.from(counts.values()), len: terms.length };
      });
      perDoc.push(row);
    }
    const n = docs.length;
    const avg = names.map((_, fi) => (n === 0 ? 1 : totalLen[fi]! / n || 1));
    // Pass 2: the combined pseudo-frequency of each (document, term), and document frequencies.
    const nTerms = termIds.size;
    const df = new Int32Array(nTerms);
    const combined: { ids: Int32Array; tf: Float32Array }[] = [];
    for (const row of perDoc) {
      const acc = new Map<number, number>();
      row.forEach((f, fi) => {
        const spec = fields[names[fi]!];
        const norm = spec.weight / (1 - spec.b + (spec.b * f.len) / avg[fi]!);
        for (let i = 0; i < f.ids.length; i++) acc.set(f.ids[i]!, (acc.get(f.ids[i]!) ?? 0) + f.counts[i]! * norm);
      });
      const ids = Int32Array.from(acc.keys());
      for (const id of ids) df[id]!++;
      combined.push({ ids, tf: Float32Array.from(acc.values()) });
    }
    const offsets = new Int32Array(nTerms + 1);
    for (let t = 0; t < nTerms; t++) offsets[t + 1] = offsets[t]! + df[t]!;
    const fill = offsets.slice(0, nTerms);
    const postDoc = new Int32Array(offsets[nTerms]!);
    const postTf = new Float32Array(offsets[nTerms]!);
    // Documents are visited in order, so each posting list is sorted by document.
    combined.forEach((c, d) => {
      for (let i = 0; i < c.ids.length; i++) {
        const at = fill[c.ids[i]!]!++;
        postDoc[at] = d;
        postTf[at] = c.tf[i]!;
      }
    });
    return new Bm25Index<F>(names, n, opts.k1 ?? 1.2, termIds, offsets, postDoc, postTf);
  }

  /** Inverse document frequency of a term; 0 for a term no document has. */
  idf(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.idfs[id]!;
  }

  /** How many documents hold a term. */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.offsets[id + 1]! - this.offsets[id]!;
  }

  /** Every document's score for a query, as a dense array (0 where nothing matched). */
  scoreAll(query: readonly QueryTerm[]): Float64Array {
    const scores = new Float64Array(this.size);
    const k1 = this.k1;
    for (const q of query) {
      const id = this.termIds.get(q.term);
      if (id === undefined || q.weight === 0) continue;
      const w = q.weight * this.idfs[id]!;
      for (let i = this.offsets[id]!, end = this.offsets[id + 1]!; i < end; i++) {
        const tf = this.postTf[i]!;
        scores[this.postDoc[i]!]! += (w * tf) / (k1 + tf);
      }
    }
    return scores;
  }

  /** The best documents for a query, best first (ties by document order). */
  search(query: readonly QueryTerm[], opts: ScoreOptions = {}): ScoredDoc[] {
    return topDocs(this.scoreAll(query), opts.limit ?? 10, opts.accept);
  }

  /** Each query term's part of one document's score, largest first (for a finding's hint). */
  explain(query: readonly QueryTerm[], doc: number): TermContribution[] {
    const out: TermContribution[] = [];
    for (const q of query) {
      const id = this.termIds.get(q.term);
      if (id === undefined || q.weight === 0) continue;
      const tf = this.tfOf(id, doc);
      if (tf > 0) out.push({ term: q.term, score: (q.weight * this.idfs[id]! * tf) / (this.k1 + tf) });
    }
    return out.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1));
  }

  private tfOf(id: number, doc: number): number {
    let lo = this.offsets[id]!;
    let hi = this.offsets[id + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = this.postDoc[mid]!;
      if (d === doc) return this.postTf[mid]!;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
}

/** A query from terms: repeats add up, each occurrence counting `weight`. */
export function queryTerms(
  terms: readonly string[],
  weight = 1,
  into: Map<string, number> = new Map(),
): Map<string, number> {
  for (const t of terms) into.set(t, (into.get(t) ?? 0) + weight);
  return into;
}

/**
 * Query weights from counts, dampened (1 + ln c): a word repeated ten times in a long
 * report matters more than once, but not ten times more.
 */
export function dampen(counts: ReadonlyMap<string, number>): QueryTerm[] {
  const out: QueryTerm[] = [];
  for (const [term, c] of counts) if (c > 0) out.push({ term, weight: c >= 1 ? 1 + Math.log(c) : c });
  return out;
}

/** The `limit` highest positive scores, best first; ties go to the lower document index. */
export function topDocs(scores: Float64Array, limit: number, accept?: (doc: number) => boolean): ScoredDoc[] {
  const out: ScoredDoc[] = [];
  if (limit <= 0) return out;
  // A bounded insertion list: limit is small next to the number of documents.
  let floor = 0;
  for (let d = 0; d < scores.length; d++) {
    const s = scores[d]!;
    if (s <= 0 || (out.length === limit && s <= floor)) continue;
    if (accept && !accept(d)) continue;
    let i = out.length;
    while (i > 0 && out[i - 1]!.score < s) i--;
    out.splice(i, 0, { doc: d, score: s });
    if (out.length > limit) out.pop();
    if (out.length === limit) floor = out[limit - 1]!.score;
  }
  return out;
}
