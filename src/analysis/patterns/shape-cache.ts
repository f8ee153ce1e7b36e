// The miner's exact-shape cache: the masked lines seen before, as a trie of masked tokens, so
// that a line is matched in place, token by token, without splitting it into strings, building
// its masked form or hashing it. Where the trie holds a token that masking leaves as it is (no
// `<*>`), the line's token is compared with it as it stands: masking leaves a token unchanged
// exactly when it holds no value, so a raw token equal to it masks to it. Only where the trie
// holds a masked token is the line's token masked (TokenMasker) and compared. A line matches
// the shape whose tokens equal its masked tokens, as the miner's `tokens.join(' ')` key would.
//
// The tokens' code units live in one growing array, two to an element (see pair()), so adding
// a shape allocates no typed arrays and comparing goes two units at a time.
import { WILDCARD } from './mask.js';
import { TokenMasker, isSpace, pair, unpair } from './token-masker.js';

/** Above this many children of one kind, a node finds its children through a hash index. */
const LINEAR_LITERALS = 6;
const LINEAR_MASKED = 2;
/** What a trie node costs against the character budget, besides its token's characters. */
const NODE_COST = 48;

const NO_CHILDREN: never[] = [];

/** A token (or a run of them) held in the cache's `pairs`. */
interface Held {
  /** Its length in code units. */
  readonly length: number;
  /** Where its pairs start in `pairs`. */
  readonly at: number;
  /** Its last code unit, compared on its own when the length is odd. */
  readonly last: number;
}

/**
 * Literal tokens that follow each other on the trie's one way on (each node on the way had one
 * child, a literal one, when the run was made), joined by single spaces: a line with single
 * spaces there takes them all with one compare and lands where the walk token by token would
 * (a raw token can match only one literal child, and literal children are tried first). Other
 * lines walk token by token.
 */
class ShapeRun<V> implements Held {
  constructor(
    readonly length: number,
    readonly at: number,
    readonly last: number,
    /** The node after the run's last token. */
    readonly target: ShapeNode<V>,
  ) {}
}

class ShapeNode<V> implements Held {
  /** Children by a token masking leaves unchanged: the line's raw token must equal it. */
  literals: ShapeNode<V>[] = NO_CHILDREN;
  literalIndex: Map<number, ShapeNode<V>[]> | null = null;
  /** Children by a masked token (one with `<*>`): the line's token, masked, must equal it. */
  masked: ShapeNode<V>[] = NO_CHILDREN;
  maskedIndex: Map<number, ShapeNode<V>[]> | null = null;
  /** The value of the shape that ends here. */
  end: V | undefined = undefined;
  /** The run of literal tokens from here: undefined until looked for, null when there is none. */
  run: ShapeRun<V> | null | undefined = undefined;

  /**
   * The token that leads here: its length, where its pairs start in the cache's `pairs`, its
   * last code unit (compared on its own when the length is odd) and its hash (hashOf).
   */
  constructor(
    readonly length: number,
    readonly at: number,
    readonly last: number,
    readonly hash: number,
  ) {}
}

export interface ShapeCacheOptions {
  /** Most shapes held; setting one more first clears the cache. */
  maxShapes: number;
  /**
   * Most code units held (tokens, and NODE_COST per trie node); likewise. Runs (see ShapeRun)
   * may take a quarter as much again.
   */
  maxChars: number;
}

/**
 * FNV-1a over code units, cut to 30 bits (a small integer for V8, so a Map lookup does not
 * box it): the key of a child in a node's hash index.
 */
function hashOf(units: Uint16Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (units[i] as number), 0x01000193);
  return h & 0x3fffffff;
}

function hashOfString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function addToIndex<V>(index: Map<number, ShapeNode<V>[]>, child: ShapeNode<V>, hash: number): void {
  const list = index.get(hash);
  if (list === undefined) index.set(hash, [child]);
  else list.push(child);
}

/** `B`, `KB`, `MiB,`, `GB)` in src[a, b): a size unit, maybe with one punctuation mark (the miner's isSizeUnit). */
function isSizeUnit(src: Uint16Array, a: number, b: number): boolean {
  const last = src[b - 1];
  const e = last === 44 || last === 59 || last === 41 ? b - 1 : b;
  const c0 = src[a];
  switch (e - a) {
    case 1:
      return c0 === 66; // B
    case 2:
      // KB MB GB TB PB kB
      return src[a + 1] === 66 && (c0 === 75 || c0 === 77 || c0 === 71 || c0 === 84 || c0 === 80 || c0 === 107);
    case 3:
      // KiB MiB GiB TiB
      return src[a + 1] === 105 && src[a + 2] === 66 && (c0 === 75 || c0 === 77 || c0 === 71 || c0 === 84);
    default:
      return false;
  }
}

export class ShapeCache<V> {
  private root = new ShapeNode<V>(0, 0, 0, 0);
  /** The roots of lines from a named log call site (see the miner's `site`): one trie each, one budget. */
  private siteRoots = new Map<string, ShapeNode<V>>();
  /** The code units of every token in the trie, in pairs. */
  private pairs = new Uint32Array(1024);
  private used = 0;
  private shapes = 0;
  private chars = 0;
  private runChars = 0;
  private readonly masker = new TokenMasker();

  constructor(private readonly options: ShapeCacheOptions) {}

  /** Shapes held. */
  get size(): number {
    return this.shapes;
  }

  clear(): void {
    this.root = new ShapeNode<V>(0, 0, 0, 0);
    this.siteRoots = new Map();
    this.used = 0;
    this.shapes = 0;
    this.chars = 0;
    this.runChars = 0;
  }

  /**
   * Is the token of `node` at units[u, ..)? `words` holds those units in pairs from words[k]
   * (see TokenMasker's evenPairs and oddPairs).
   */
  private same(node: Held, words: Uint32Array, k: number, units: Uint16Array, u: number): boolean {
    const pairs = this.pairs;
    const n = node.length;
    const end = node.at + (n >> 1);
    for (let j = node.at; j < end; j++, k++) if (words[k] !== pairs[j]) return false;
    return (n & 1) === 0 || units[u + n - 1] === node.last;
  }

  /** The child in `list` whose token is the n units at the line's unit p. */
  private findInLine(list: ShapeNode<V>[] | undefined, p: number, n: number): ShapeNode<V> | undefined {
    if (list === undefined) return undefined;
    const m = this.masker;
    const words = (p & 1) === 0 ? m.evenPairs : m.oddPairs;
    for (const child of list) if (child.length === n && this.same(child, words, (p + 1) >> 1, m.src, p)) return child;
    return undefined;
  }

  /** The child in `list` whose token is the masker's output. */
  private findOutput(list: ShapeNode<V>[] | undefined): ShapeNode<V> | undefined {
    if (list === undefined) return undefined;
    const m = this.masker;
    for (const child of list) if (child.length === m.length && this.same(child, m.outPairs, 0, m.out, 0)) return child;
    return undefined;
  }

  /**
   * The value set for the shape of line[0, limit), or undefined. The line is split on
   * whitespace and each token masked as maskToken does; a size unit after a token that ends
   * in a value (`5.8 KB`, `120 B,`) belongs to that token, its punctuation kept.
   */
  get(line: string, limit: number, site = ''): V | undefined {
    const start = site === '' ? this.root : this.siteRoots.get(site);
    if (start === undefined) return undefined;
    let node: ShapeNode<V> = start;
    const m = this.masker;
    m.load(line, limit);
    const src = m.src;
    let p = 0;
    for (;;) {
      while (p < limit && isSpace(src[p] as number)) p++;
      if (p >= limit) return node.end;
      let next: ShapeNode<V> | undefined;
      const run = node.run === undefined ? this.runFrom(node) : node.run;
      if (run !== null) {
        const q = p + run.length;
        if (
          q <= limit &&
          isSpace(src[q] as number) &&
          this.same(run, (p & 1) === 0 ? m.evenPairs : m.oddPairs, (p + 1) >> 1, src, p)
        ) {
          node = run.target;
          p = q;
          continue;
        }
      }
      if (node.literalIndex !== null) {
        let q = p;
        let h = 0x811c9dc5;
        for (let c = src[q] as number; !isSpace(c); c = src[++q] as number) h = Math.imul(h ^ c, 0x01000193);
        next = this.findInLine(node.literalIndex.get(h & 0x3fffffff), p, q - p);
        if (next !== undefined) p = q;
      } else {
        const literals = node.literals;
        const words = (p & 1) === 0 ? m.evenPairs : m.oddPairs;
        const k0 = (p + 1) >> 1;
        for (let k = 0; k < literals.length; k++) {
          const child = literals[k] as ShapeNode<V>;
          const q = p + child.length;
          // src[limit] is a space, so a token ending at the limit ends at a space too.
          if (q <= limit && isSpace(src[q] as number) && this.same(child, words, k0, src, p)) {
            next = child;
            p = q;
            break;
          }
        }
      }
      if (next === undefined) {
        if (node.masked.length === 0) return undefined;
        m.length = 0;
        p = m.token(p);
        while (m.endsWithWildcard()) {
          let r = p;
          while (r < limit && isSpace(src[r] as number)) r++;
          // Size units start with B, G, K, M, P, T or k.
          const c = src[r] as number;
          if (r >= limit || !(c === 66 || c === 71 || c === 75 || c === 77 || c === 80 || c === 84 || c === 107)) break;
          let q = r;
          while (q - r < 5 && !isSpace(src[q] as number)) q++;
          if (q - r > 4 || !isSizeUnit(src, r, q)) break;
          const last = src[q - 1] as number;
          if (last === 44 || last === 59 || last === 41) m.push(last);
          p = q;
        }
        const n = m.length;
        const list = node.maskedIndex !== null ? node.maskedIndex.get(hashOf(m.out, 0, n)) : node.masked;
        next = this.findOutput(list);
        if (next === undefined) return undefined;
      }
      node = next;
    }
  }

  /**
   * The raw tokens of line[0, limit) and their masked forms, as get() reads them (before a
   * size unit joins the value before it): what the miner needs for a line get() did not find.
   */
  tokens(line: string, limit: number, raw: string[], masked: string[]): void {
    this.masker.load(line, limit);
    this.masker.split(raw, masked);
  }

  /**
   * Remember `value` for the shape made of these masked tokens (no whitespace in them), of lines
   * from `site` (the same shape from another site is another shape).
   */
  set(tokens: readonly string[], value: V, site = ''): void {
    let cost = site.length + NODE_COST;
    for (const t of tokens) cost += t.length + NODE_COST;
    if (cost > this.options.maxChars) return;
    if (this.shapes >= this.options.maxShapes || this.chars + cost > this.options.maxChars) this.clear();
    let node = this.root;
    if (site !== '') {
      let r = this.siteRoots.get(site);
      if (r === undefined) {
        r = new ShapeNode<V>(0, 0, 0, 0);
        this.siteRoots.set(site, r);
        this.chars += site.length + NODE_COST;
      }
      node = r;
    }
    for (const t of tokens) {
      // A run stays true as the trie grows (its path stays); where none was found, one may be
      // found now.
      if (node.run === null) node.run = undefined;
      const hash = hashOfString(t);
      const literal = !t.includes(WILDCARD);
      const index = literal ? node.literalIndex : node.maskedIndex;
      let children = index !== null ? index.get(hash) : literal ? node.literals : node.masked;
      const found = children?.find((child) => this.holds(child, t));
      if (found !== undefined) {
        node = found;
        continue;
      }
      const child = this.newNode(t, hash);
      this.chars += t.length + NODE_COST;
      children = literal ? node.literals : node.masked;
      if (children === NO_CHILDREN) {
        children = [];
        if (literal) node.literals = children;
        else node.masked = children;
      }
      children.push(child);
      if (index !== null) addToIndex(index, child, hash);
      else if (children.length > (literal ? LINEAR_LITERALS : LINEAR_MASKED)) {
        const built = new Map<number, ShapeNode<V>[]>();
        for (const c of children) addToIndex(built, c, c.hash);
        if (literal) node.literalIndex = built;
        else node.maskedIndex = built;
      }
      node = child;
    }
    if (node.end === undefined) this.shapes++;
    node.end = value;
  }

  private newNode(t: string, hash: number): ShapeNode<V> {
    const n = t.length;
    return new ShapeNode<V>(n, this.store(t), (n & 1) === 1 ? t.charCodeAt(n - 1) : 0, hash);
  }

  /** Put a string's code units in `pairs`; where they start. */
  private store(t: string): number {
    const half = t.length >> 1;
    if (this.used + half > this.pairs.length) {
      const grown = new Uint32Array(Math.max(this.pairs.length * 2, this.used + half));
      grown.set(this.pairs.subarray(0, this.used));
      this.pairs = grown;
    }
    const at = this.used;
    for (let j = 0; j < half; j++) this.pairs[at + j] = pair(t.charCodeAt(2 * j), t.charCodeAt(2 * j + 1));
    this.used += half;
    return at;
  }

  /** The token of `node` as a string. */
  private text(node: ShapeNode<V>): string {
    let s = '';
    for (let j = 0; j < node.length >> 1; j++) {
      const w = this.pairs[node.at + j] as number;
      s += String.fromCharCode(...unpair(w));
    }
    return (node.length & 1) === 1 ? s + String.fromCharCode(node.last) : s;
  }

  /** The run of literal tokens from `node` (see ShapeRun), when it holds two tokens or more. */
  private runFrom(node: ShapeNode<V>): ShapeRun<V> | null {
    const words: string[] = [];
    let cur = node;
    while (cur.literals.length === 1 && cur.masked.length === 0) {
      cur = cur.literals[0] as ShapeNode<V>;
      words.push(this.text(cur));
    }
    let run: ShapeRun<V> | null = null;
    const text = words.join(' ');
    // Runs have a budget of their own, a quarter of the cache's (so that they do not make it
    // clear sooner); past it, there are none until the cache clears.
    if (words.length >= 2 && this.runChars + text.length + NODE_COST <= this.options.maxChars / 4) {
      this.runChars += text.length + NODE_COST;
      run = new ShapeRun(text.length, this.store(text), text.charCodeAt(text.length - 1), cur);
    }
    node.run = run;
    return run;
  }

  /** Is the token of `node` this string? */
  private holds(node: ShapeNode<V>, t: string): boolean {
    const n = t.length;
    if (node.length !== n) return false;
    for (let j = 0; j < n >> 1; j++)
      if (this.pairs[node.at + j] !== pair(t.charCodeAt(2 * j), t.charCodeAt(2 * j + 1))) return false;
    return (n & 1) === 0 || node.last === t.charCodeAt(n - 1);
  }
}
