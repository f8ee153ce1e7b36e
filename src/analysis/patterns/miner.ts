// patterns@3: an online, Drain-class log template miner.
//
// A line may name its log call site (the file and line, or function, that logged it, from the
// record's code.* attributes). Lines of different sites never share a pattern: two statements
// that print the same words are two events (`calculate time <*>` logged before and after a
// step), and a fault that stops the second one shows only if they are counted apart. Lines
// without a site are mined together, as in patterns@1, with the same results.
//
// Each line is split on whitespace and every token is masked (mask.ts), so values that look
// like values are `<*>` before any clustering. Then:
//  1. Exact shape: the line is looked up among the masked shapes already seen (shape-cache.ts:
//     a trie of masked tokens walked over the line in place, masking only where the shape
//     holds a value, with token-masker.ts, the allocation-free twin of maskToken). Most lines
//     of a running service repeat a shape, so most lines stop here, having allocated nothing
//     but their answer.
//  2. Otherwise, as in Drain, the candidates are the patterns with the same token count and
//     the same first token (or a wildcard first token). The line joins the most similar one
//     when at least half of the template's literal tokens are equal to the line's, and the
//     template generalises where they differ. Where they differ, the common prefix and suffix
//     up to a delimiter stay literal (`cmp=a.b` and `cmp=c.d` give `cmp=<*>`, not `<*>`).
//  3. When a template generalises so that it now covers another pattern (they converged), the
//     two merge: the covered one's id forwards to the covering one for good.
//
// Before clustering, fields that span several tokens are joined into one (fields.ts: a value
// written with spaces, a key's bracketed list or map), so a field whose token count varies does
// not split a template; the shape cache still keys lines by their tokens masked one by one.
//
// Words are constants until shown otherwise (patterns@3 made these general rules, each checked
// on the 8 Loghub systems and on TrainTicket's call sites):
//  - A line that differs from its closest template in one word is another message until
//    SIBLING_VALUES different words were seen there (wordSibling). Words with brackets or
//    punctuation between them (`Success][OrderId:`, `List!`) are words too, not values; a name
//    with `/`, `$` or other signs in it that differs (`com.x/.Y`, `a.B$C`) is left a value.
//  - A line that differs in several words, each the value of a key (`name=a, type=b` then
//    `name=c, type=d`, or `TrainType: X` after a `key:` token), is the same record with other
//    values: it joins, and those values become `<*>`. Any other difference in two or more
//    words makes another message.
//
// Improvements over Drain: typed masking before clustering (so numbers never split groups and
// templates come out in the `<*>` form people write by hand), sub-token generalisation, the
// exact-shape fast path, convergence merging, and a hard bound on patterns per miner (lines
// of new shapes beyond it are counted in one overflow pattern, so hostile input cannot grow
// memory).
import { joinFields } from './fields.js';
import { WILDCARD, maskToken } from './mask.js';
import { ShapeCache } from './shape-cache.js';
import type { MinerOptions, PatternInfo, PatternMatch, PatternMiner, SlotType, TemplateSlot } from './types.js';

const DEFAULT_MAX_PATTERNS = 5000;
/** Fraction of a template's literal tokens a line must share to join it (Drain's st). */
const SIMILARITY = 0.5;
/** Shapes remembered for the fast path, per pattern allowed (a cache; clearing it is safe). */
const SHAPES_PER_PATTERN = 8;
/**
 * Characters the shape cache may hold, per shape allowed: on average a shape of a long line,
 * while a flood of hostile long lines clears the cache rather than grow it.
 */
const SHAPE_CHARS_PER_SHAPE = 1024;

/** Patterns differing only in one plain word that make that word a value. */
const SIBLING_VALUES = 3;
const MAX_VARIANTS = 64;
/** Longest line mined (the rest is cut). */
export const MAX_MINED_CHARS = 4096;

export const OVERFLOW_TEMPLATE = '<overflow>';
/** Longest log call site kept (the rest is cut). */
export const MAX_SITE_CHARS = 512;

/** The bucket-key prefix of a site's patterns ('' for lines that named none). */
function sitePrefix(site: string): string {
  return site === '' ? '' : `\u0000${site}\u0000`;
}

interface Cluster {
  id: string;
  tokens: string[];
  /** For tokens generalised to `prefix<*>suffix`: the prefix and suffix; null for exact tokens. */
  pre: (string | null)[];
  suf: (string | null)[];
  /** Slot types per token position, one per `<*>` in that token. */
  types: SlotType[][];
  count: number;
  merged: string[];
  /** The log call site its lines came from ('' when they named none). */
  site: string;
  bucket: string;
  alive: boolean;
  /** The template: tokens joined by one space, kept current. */
  text: string;
  /** The pattern this one differs from in one word (see wordSibling). */
  parent: Cluster | null;
  /** Words seen at a position, counted towards making it a value. */
  variants: Map<number, Set<string>> | null;
}

/** What wordSibling decided: the pattern the line joins, else the family a new pattern belongs to. */
interface SiblingOutcome {
  join: Cluster | null;
  parent: Cluster | null;
}

const NO_SIBLING: SiblingOutcome = { join: null, parent: null };

function isDelimiterChar(ch: string): boolean {
  return ',;:=|"\'()[]{}@/# '.includes(ch) || ch === '<' || ch === '>';
}

/** 64-bit FNV-1a as 16 hex characters (two 32-bit lanes); ids only, not security. */
function hashId(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

function countWildcards(tok: string): number {
  let n = 0;
  for (let i = tok.indexOf(WILDCARD); i >= 0; i = tok.indexOf(WILDCARD, i + 3)) n++;
  return n;
}

/**
 * Generalise two different tokens: keep the longest common prefix that ends after a delimiter
 * and the longest common suffix that starts at one, and put `<*>` between them.
 */
export function generalizeToken(a: string, b: string): { pre: string; suf: string } {
  let p = 0;
  let cut = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) {
    p++;
    if (isDelimiterChar(a.charAt(p - 1))) cut = p;
  }
  let pre = a.slice(0, cut);
  while (pre.endsWith('<') || pre.endsWith('<*')) pre = pre.slice(0, pre.lastIndexOf('<'));
  let s = 0;
  let scut = 0;
  const smax = Math.min(a.length, b.length) - pre.length;
  while (s < smax && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) {
    s++;
    if (isDelimiterChar(a.charAt(a.length - s))) scut = s;
  }
  let suf = scut > 0 ? a.slice(a.length - scut) : '';
  while (suf.startsWith('>') || suf.startsWith('*>')) suf = suf.slice(suf.indexOf('>') + 1);
  return { pre, suf };
}

const SIZE_UNITS = new Set(['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB']);

/** `KB`, `MB,`, `GiB)`: a size unit, maybe followed by one punctuation mark. */
function isSizeUnit(tok: string): boolean {
  if (tok.length > 4) return false;
  const last = tok.charCodeAt(tok.length - 1);
  const core = last === 44 || last === 59 || last === 41 ? tok.slice(0, -1) : tok;
  return SIZE_UNITS.has(core);
}

/**
 * Do two different tokens differ only in words (`Foo#<*>` vs `Bar#<*>`, `open` vs `close`,
 * `List!` vs `Start!`, `ID Success][OrderId:` vs `Id][Order Id:`)? Where they differ, both hold
 * a plain word, or words with brackets and punctuation between them, and no value.
 */
function wordDiff(t: string, l: string): boolean {
  if (isWord(t) && isWord(l)) return true;
  const g = generalizeToken(t, l);
  const a = t.slice(g.pre.length, t.length - g.suf.length);
  const b = l.slice(g.pre.length, l.length - g.suf.length);
  return (isWord(a) && isWord(b)) || (isWordText(a) && isWordText(b));
}

/**
 * Words with brackets and punctuation between them (`Success][OrderId`, `List!`): letters,
 * digits, `_`, `-`, brackets, quotes and `,;:!?`, at least one letter, no value. A dotted or
 * slashed name (`org.a.B$C`, `com.x/.Y`) is not word text: a class or a path that differs is
 * more often a value.
 */
function isWordText(m: string): boolean {
  let letter = false;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) letter = true;
    else if (!((c >= 48 && c <= 57) || '_-[](){}"\',;:!?'.includes(m.charAt(i)))) return false;
  }
  return letter && !m.includes(WILDCARD);
}

/**
 * Is the word where the line differs from c's template at i the value of a key: right after
 * `key=` or `key:` in the same token (an opening quote or bracket between them), or the
 * token after one that ends in `=` or `:`?
 */
function isKeyValue(c: Cluster, i: number, line: string): boolean {
  const t = c.tokens[i] as string;
  const { pre } = generalizeToken(t, line);
  let e = pre.length;
  while (e > 0 && '"\'[({'.includes(pre.charAt(e - 1))) e--;
  if (e > 0) {
    const k = pre.charCodeAt(e - 1);
    return k === 61 || k === 58;
  }
  if (i === 0 || c.pre[i - 1] !== null) return false;
  const prev = c.tokens[i - 1] as string;
  const k = prev.charCodeAt(prev.length - 1);
  return prev.length > 1 && (k === 61 || k === 58);
}

/** A plain word: letters, digits, `_`, `-`, `.` and no value mask (those are values already). */
function isWord(tok: string): boolean {
  if (tok.length === 0) return false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

function mergeTypes(into: SlotType[], from: SlotType[]): SlotType[] {
  if (into.length !== from.length) return into.map(() => 'mixed');
  return into.map((t, i) => (t === from[i] ? t : 'mixed'));
}

/**
 * A copy of a string that does not keep the string it was cut from alive (V8 keeps a longer
 * string alive behind a slice of it; a log body can be long).
 */
function detach(s: string): string {
  return ` ${s}`.slice(1);
}

/** Split on runs of whitespace, without a regular expression. */
function tokenize(body: string, out: string[]): void {
  let start = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const ws = c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
    if (ws) {
      if (start >= 0) {
        out.push(body.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(body.slice(start));
}

export class Miner implements PatternMiner {
  private readonly maxPatterns: number;
  private readonly shapes: ShapeCache<Cluster>;
  private readonly buckets = new Map<string, Cluster[]>();
  private readonly byId = new Map<string, Cluster>();
  private readonly forward = new Map<string, string>();
  private live = 0;
  private overflowCount = 0;
  private readonly overflow: Cluster;

  constructor(options: MinerOptions = {}) {
    this.maxPatterns = Math.max(1, options.maxPatterns ?? DEFAULT_MAX_PATTERNS);
    this.shapes = new ShapeCache({
      maxShapes: this.maxPatterns * SHAPES_PER_PATTERN,
      maxChars: this.maxPatterns * SHAPES_PER_PATTERN * SHAPE_CHARS_PER_SHAPE,
    });
    this.overflow = {
      id: 'overflow',
      tokens: [OVERFLOW_TEMPLATE],
      pre: [null],
      suf: [null],
      types: [[]],
      count: 0,
      merged: [],
      site: '',
      bucket: '',
      alive: true,
      text: OVERFLOW_TEMPLATE,
      parent: null,
      variants: null,
    };
  }

  get overflowed(): number {
    return this.overflowCount;
  }

  add(body: string, site = ''): PatternMatch {
    const limit = Math.min(body.length, MAX_MINED_CHARS);
    if (site.length > MAX_SITE_CHARS) site = site.slice(0, MAX_SITE_CHARS);
    let c = this.shapes.get(body, limit, site);
    if (c !== undefined) {
      if (!c.alive) c = this.live_(c);
      c.count++;
      if (c === this.overflow) this.overflowCount++;
      return { id: c.id, template: c.text, created: false, overflow: c === this.overflow };
    }
    // Rare: a shape not seen before. Split and mask the line, keeping each slot's type.
    const raw: string[] = [];
    const maskedRaw: string[] = [];
    this.shapes.tokens(body, limit, raw, maskedRaw);
    const types: SlotType[][] = [];
    return this.slowPath(this.mask(raw, maskedRaw, types), types, site);
  }

  /**
   * A line's masked tokens (`maskedRaw`, masked from `raw` by the shape cache) with a size unit
   * after a value joined to it, collecting each token's slot types (maskToken's, asked only of
   * tokens holding a `<*>`).
   */
  private mask(raw: string[], maskedRaw: string[], types: SlotType[][]): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      const tok = raw[i] as string;
      // A size unit after a number is part of that value: `5.8 KB` and `120 B` are one size.
      if (tokens.length > 0 && isSizeUnit(tok) && (tokens[tokens.length - 1] as string).endsWith(WILDCARD)) {
        const prev = types[types.length - 1] as SlotType[];
        if (prev.length > 0) prev[prev.length - 1] = 'size';
        const punct = tok.charCodeAt(tok.length - 1);
        if (punct === 44 || punct === 59 || punct === 41) tokens[tokens.length - 1] += tok.charAt(tok.length - 1);
        continue;
      }
      const masked = maskedRaw[i] as string;
      const t: SlotType[] = [];
      if (masked.includes(WILDCARD)) maskToken(tok, t);
      tokens.push(masked);
      types.push(t);
    }
    return tokens;
  }

  private live_(c: Cluster): Cluster {
    return this.byId.get(this.resolve(c.id)) ?? this.overflow;
  }

  /**
   * `shape` is the line's tokens as the shape cache reads them (masked one by one); the miner
   * clusters them with multi-token fields joined (fields.ts).
   */
  private slowPath(shape: string[], shapeTypes: SlotType[][], site: string): PatternMatch {
    const joined = joinFields(shape, shapeTypes);
    const tokens = joined === null ? shape : joined.tokens;
    const types = joined === null ? shapeTypes : joined.types;
    const best = this.bestMatch(tokens, site);
    let c: Cluster;
    let created = false;
    let sibling = NO_SIBLING;
    if (best !== null)
      sibling = this.differsInWords(best, tokens) ? this.wordSibling(best, tokens) : { join: best, parent: null };
    if (sibling.join !== null) {
      c = sibling.join;
      this.absorb(c, tokens, types);
    } else if (this.live >= this.maxPatterns) {
      this.overflowCount++;
      this.overflow.count++;
      this.shapes.set(shape, this.overflow, site);
      return { id: this.overflow.id, template: OVERFLOW_TEMPLATE, created: false, overflow: true };
    } else {
      c = this.create(tokens, types, site);
      c.parent = sibling.parent;
      created = true;
    }
    c.count++;
    this.shapes.set(shape, c, site);
    if (!c.alive) c = this.live_(c);
    return { id: c.id, template: c.text, created, overflow: false };
  }

  /**
   * Patterns are compared only within a bucket: the same site, token count and first token
   * (or a wildcard first token). A site's keys start with NUL, so they never share a prefix
   * with the keys of lines without one.
   */
  private bucketKey(tokens: string[], pre: (string | null)[], site: string): string {
    const first = tokens[0] ?? '';
    const wild = pre[0] !== null || first.includes(WILDCARD);
    return `${sitePrefix(site)}${tokens.length}|${wild ? '*' : first}`;
  }

  private candidates(tokens: string[], site: string): Cluster[][] {
    const out: Cluster[][] = [];
    const at = sitePrefix(site);
    const exact = this.buckets.get(`${at}${tokens.length}|${tokens[0] ?? ''}`);
    if (exact) out.push(exact);
    const wild = this.buckets.get(`${at}${tokens.length}|*`);
    if (wild && wild !== exact) out.push(wild);
    return out;
  }

  /** Drain's similarity over the template's literal tokens; null when nothing is close enough. */
  private bestMatch(tokens: string[], site: string): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (const bucket of this.candidates(tokens, site)) {
      for (const c of bucket) {
        let exact = 0;
        let params = 0;
        let literals = 0;
        for (let i = 0; i < tokens.length; i++) {
          const t = c.tokens[i] as string;
          const l = tokens[i] as string;
          const pre = c.pre[i];
          if (pre !== null && pre !== undefined) {
            const suf = c.suf[i] as string;
            if (l.length >= pre.length + suf.length && l.startsWith(pre) && l.endsWith(suf)) params++;
            continue;
          }
          literals++;
          if (t === l) exact++;
        }
        const sim = literals === 0 ? 1 : exact / literals;
        if (sim < SIMILARITY) continue;
        if (sim > bestSim || (sim === bestSim && params > bestParams)) {
          best = c;
          bestSim = sim;
          bestParams = params;
        }
      }
    }
    return best;
  }

  /** Does the line differ from c's template where both hold a plain word (not a value)? */
  private differsInWords(c: Cluster, tokens: string[]): boolean {
    for (let i = 0; i < tokens.length; i++) {
      if (c.pre[i] !== null) continue;
      const t = c.tokens[i] as string;
      const l = tokens[i] as string;
      if (t !== l && wordDiff(t, l)) return true;
    }
    return false;
  }

  /**
   * Two lines that differ in one plain word (`cupsd startup succeeded`, `cupsd shutdown
   * succeeded`) are usually two messages; many lines that differ there (`session opened for
   * user news|root|cyrus|…`) hold a value. So a word position becomes `<*>` only once
   * SIBLING_VALUES different words were seen there with everything else alike; until then
   * each word has its own pattern. The words are counted on the first pattern of the family.
   * Other differences (values) do not count. Returns the pattern the line now joins, or null
   * when it still needs its own.
   */
  private wordSibling(best: Cluster, tokens: string[]): SiblingOutcome {
    let d = -1;
    let diffs = 0;
    let keyed = 0;
    for (let i = 0; i < tokens.length; i++) {
      if (best.pre[i] !== null) continue;
      const t = best.tokens[i] as string;
      const l = tokens[i] as string;
      if (t === l || !wordDiff(t, l)) continue;
      diffs++;
      if (isKeyValue(best, i, l)) keyed++;
      if (d < 0) d = i;
    }
    if (d < 0) return NO_SIBLING;
    // Several keys whose values all changed at once: one record with other values, not
    // another message (`name=a, type=b` and `name=c, type=d`).
    if (diffs > 1) return keyed === diffs ? { join: best, parent: null } : NO_SIBLING;
    let root = best.parent?.alive ? best.parent : best;
    if (root.pre[d] !== null || root.tokens.length !== tokens.length) root = best;
    root.variants ??= new Map();
    let seen = root.variants.get(d);
    if (!seen) {
      seen = new Set([root.tokens[d] as string]);
      root.variants.set(d, seen);
    }
    if (seen.size < MAX_VARIANTS) seen.add(detach(tokens[d] as string));
    if (seen.size < SIBLING_VALUES) return { join: null, parent: root };
    let g: { pre: string; suf: string } | null = null;
    for (const v of seen) {
      if (v === root.tokens[d]) continue;
      g = g === null ? generalizeToken(root.tokens[d] as string, v) : generalizeToken(`${g.pre}\u0000${g.suf}`, v);
    }
    if (g === null) return { join: null, parent: root };
    root.variants.delete(d);
    this.setWild(root, d, g.pre, g.suf, 'word');
    this.converge(root);
    return { join: root, parent: null };
  }

  private create(tokens: string[], types: SlotType[][], site: string): Cluster {
    const template = tokens.join(' ');
    // The template's own tokens: the line's may be slices of a much longer log body.
    const own = tokens.length === 0 ? [] : template.split(' ');
    const named = site === '' ? template : `${site}\u0000${template}`;
    let id = hashId(named);
    while (this.byId.has(id) || this.forward.has(id)) id = hashId(`${id}:${named}`);
    const c: Cluster = {
      id,
      tokens: own,
      pre: tokens.map(() => null),
      suf: tokens.map(() => null),
      types: types.map((t) => t.slice()),
      count: 0,
      merged: [],
      site,
      bucket: '',
      alive: true,
      text: template,
      parent: null,
      variants: null,
    };
    this.place(c);
    this.byId.set(id, c);
    this.live++;
    return c;
  }

  private place(c: Cluster): void {
    c.bucket = this.bucketKey(c.tokens, c.pre, c.site);
    let b = this.buckets.get(c.bucket);
    if (!b) {
      b = [];
      this.buckets.set(c.bucket, b);
    }
    b.push(c);
  }

  private unplace(c: Cluster): void {
    const b = this.buckets.get(c.bucket);
    if (!b) return;
    const i = b.indexOf(c);
    if (i >= 0) b.splice(i, 1);
    if (b.length === 0) this.buckets.delete(c.bucket);
  }

  /** Generalise c's template to cover the line; merge patterns the new template now covers. */
  private absorb(c: Cluster, tokens: string[], types: SlotType[][]): void {
    let changed = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = c.tokens[i] as string;
      const l = tokens[i] as string;
      const pre = c.pre[i];
      if (pre !== null && pre !== undefined) {
        const suf = c.suf[i] as string;
        if (l.length >= pre.length + suf.length && l.startsWith(pre) && l.endsWith(suf)) continue;
        const g = generalizeToken(`${pre}\u0000${suf}`, l);
        this.setWild(c, i, g.pre, g.suf, 'mixed');
        changed = true;
        continue;
      }
      if (t === l) {
        const lt = types[i] as SlotType[];
        if (lt.length > 0) c.types[i] = mergeTypes(c.types[i] as SlotType[], lt);
        continue;
      }
      const g = generalizeToken(t, l);
      const word = /^[A-Za-z][\w.-]*$/.test(t) && /^[A-Za-z][\w.-]*$/.test(l);
      this.setWild(c, i, g.pre, g.suf, word ? 'word' : 'mixed');
      changed = true;
    }
    if (changed) this.converge(c);
  }

  private setWild(c: Cluster, i: number, pre: string, suf: string, type: SlotType): void {
    c.pre[i] = pre;
    c.suf[i] = suf;
    c.tokens[i] = `${pre}${WILDCARD}${suf}`;
    c.text = c.tokens.join(' ');
    const n = countWildcards(pre) + 1 + countWildcards(suf);
    c.types[i] = new Array<SlotType>(n).fill(type);
    if (i === 0) {
      this.unplace(c);
      this.place(c);
    }
  }

  /** After c generalised: fold in every pattern its template now covers. */
  private converge(c: Cluster): void {
    for (const bucket of this.candidates(
      c.tokens.map((t, i) => (c.pre[i] === null ? t : WILDCARD)),
      c.site,
    )) {
      for (const o of bucket.slice()) {
        if (o === c || !o.alive || o.tokens.length !== c.tokens.length) continue;
        if (this.covers(c, o)) this.mergeInto(c, o);
      }
    }
    if (c.pre[0] !== null) {
      // c now sits in the wildcard bucket; patterns under any first token may be covered.
      const prefix = `${sitePrefix(c.site)}${c.tokens.length}|`;
      for (const [k, bucket] of this.buckets) {
        if (!k.startsWith(prefix)) continue;
        for (const o of bucket.slice()) {
          if (o !== c && o.alive && this.covers(c, o)) this.mergeInto(c, o);
        }
      }
    }
  }

  private covers(c: Cluster, o: Cluster): boolean {
    for (let i = 0; i < c.tokens.length; i++) {
      const ot = o.tokens[i] as string;
      const pre = c.pre[i];
      if (pre === null || pre === undefined) {
        if (c.tokens[i] !== ot) return false;
        continue;
      }
      const suf = c.suf[i] as string;
      if (!(ot.length >= pre.length + suf.length && ot.startsWith(pre) && ot.endsWith(suf))) return false;
    }
    return true;
  }

  private mergeInto(c: Cluster, o: Cluster): void {
    o.alive = false;
    this.unplace(o);
    this.byId.delete(o.id);
    this.forward.set(o.id, c.id);
    c.count += o.count;
    c.merged.push(o.id, ...o.merged);
    this.live--;
  }

  /**
   * Restore patterns mined before (by this node before a restart, or by another node): each
   * `<*>` in a stored template matches any value there. Ids are kept, so lines keep counting
   * under the pattern they counted under before.
   */
  seed(patterns: readonly { id: string; template: string; site?: string | null }[]): void {
    for (const p of patterns) {
      if (this.byId.has(p.id) || this.live >= this.maxPatterns) continue;
      const tokens: string[] = [];
      tokenize(p.template, tokens);
      if (tokens.length === 0) continue;
      const c: Cluster = {
        id: p.id,
        tokens,
        pre: tokens.map((t) => (t.includes(WILDCARD) ? t.slice(0, t.indexOf(WILDCARD)) : null)),
        suf: tokens.map((t) => (t.includes(WILDCARD) ? t.slice(t.indexOf(WILDCARD) + WILDCARD.length) : null)),
        types: tokens.map((t) => new Array<SlotType>(countWildcards(t)).fill('mixed')),
        count: 0,
        merged: [],
        site: (p.site ?? '').slice(0, MAX_SITE_CHARS),
        bucket: '',
        alive: true,
        text: tokens.join(' '),
        parent: null,
        variants: null,
      };
      this.place(c);
      this.byId.set(c.id, c);
      this.live++;
    }
  }

  resolve(id: string): string {
    let cur = id;
    for (let hops = 0; hops < 1000; hops++) {
      const next = this.forward.get(cur);
      if (next === undefined) return cur;
      cur = next;
    }
    return cur;
  }

  template(id: string): string {
    const rid = this.resolve(id);
    if (rid === this.overflow.id) return OVERFLOW_TEMPLATE;
    const c = this.byId.get(rid);
    return c ? c.text : '';
  }

  private slots(c: Cluster): TemplateSlot[] {
    const out: TemplateSlot[] = [];
    let index = 0;
    for (let i = 0; i < c.tokens.length; i++) {
      const n = countWildcards(c.tokens[i] as string);
      const t = c.types[i] as SlotType[];
      for (let k = 0; k < n; k++) out.push({ index: index++, type: t.length === n ? (t[k] as SlotType) : 'mixed' });
    }
    return out;
  }

  private info(c: Cluster): PatternInfo {
    return {
      id: c.id,
      template: c.text,
      slots: this.slots(c),
      count: c.count,
      merged: c.merged.slice(),
      ...(c.site !== '' ? { site: c.site } : {}),
    };
  }

  /** One live pattern by id (after following merges); null when unknown. */
  pattern(id: string): PatternInfo | null {
    const c = this.byId.get(this.resolve(id));
    return c ? this.info(c) : null;
  }

  /** Live patterns held (not counting the overflow pattern). */
  get size(): number {
    return this.live;
  }

  patterns(): PatternInfo[] {
    const out: PatternInfo[] = [];
    for (const c of this.byId.values()) {
      out.push(this.info(c));
    }
    if (this.overflow.count > 0) {
      out.push({
        id: this.overflow.id,
        template: OVERFLOW_TEMPLATE,
        slots: [],
        count: this.overflow.count,
        merged: [],
      });
    }
    return out;
  }
}

export function createPatternMiner(options?: MinerOptions): PatternMiner {
  return new Miner(options);
}
