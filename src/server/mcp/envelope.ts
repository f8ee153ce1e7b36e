// What every MCP tool answers: one JSON text that says what it left out (total, returned, a
// cursor for the rest), stays under a size budget, and carries stable evidence ids and API links.
// Tools hand over their whole list; the envelope pages it and shrinks it to the budget.

/** The most characters of JSON text one tool result carries (about 6,000 tokens of an agent's context). */
export const MCP_TEXT_BUDGET = 24_000;
/** Items per page when the caller gives no limit, and the most it may ask for. */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

/** A listed thing: its stable evidence id (`kind:identity`) and the API request that shows it again. */
export interface Item {
  id: string;
  api?: string;
}

/** A tool's answer before paging: a headline, a few facts and the full list it found. */
export interface ToolAnswer<D, I extends Item> {
  summary: string;
  data: D;
  items: I[];
  /** false when `items` stopped at a fetch limit, so that more may exist beyond them. */
  complete: boolean;
  /** Evidence ids the data names besides the items' own (a suspect commit, a deploy). */
  evidence?: string[];
  /** API requests (paths on the Orrery server) that show the whole answer. */
  links: Record<string, string>;
}

export interface Page {
  /** Items found (a lower bound when `totalExact` is false). */
  total: number;
  totalExact: boolean;
  offset: number;
  returned: number;
  /** Pass it back as `cursor` (with the same other arguments) for the next page; null when nothing is left. */
  cursor: string | null;
}

export interface Envelope<D, I extends Item> {
  summary: string;
  data: D;
  items: I[];
  page: Page;
  evidence: string[];
  links: Record<string, string>;
  /** What was cut to stay within the budget (long strings, long lists), by path; empty when nothing. */
  cut: string[];
  budget: { maxChars: number };
}

export class CursorError extends Error {}

export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** The offset a cursor stands for; a cursor that is not one of ours is a CursorError. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 && v.o <= 1_000_000) return v.o;
  } catch {
    // reported below
  }
  throw new CursorError('cursor: not a cursor this server gave; start again without one');
}

interface Limits {
  maxString: number;
  maxArray: number;
}

/** A copy of `value` with strings and arrays cut to the limits; each cut is noted by its path. */
export function shrink(value: unknown, limits: Limits, path: string, cut: string[]): unknown {
  if (typeof value === 'string') {
    if (value.length <= limits.maxString) return value;
    cut.push(`${path}: ${limits.maxString} of ${value.length} characters`);
    return `${value.slice(0, limits.maxString)}…`;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.maxArray).map((v, i) => shrink(v, limits, `${path}[${i}]`, cut));
    if (value.length > limits.maxArray) cut.push(`${path}: ${limits.maxArray} of ${value.length} entries`);
    return kept;
  }
  if (value !== null && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = shrink(v, limits, path ? `${path}.${k}` : k, cut);
    return out;
  }
  return value;
}

const ROOMY: Limits = { maxString: 2_000, maxArray: 25 };
const TIGHT: Limits = { maxString: 300, maxArray: 5 };

/**
 * Pages `answer.items` from `offset` (at most `limit` of them) and returns the envelope's JSON
 * text, at most `budget` characters: long strings and lists are cut first, then fewer items
 * are returned (the cursor points at the first one left out), and an item too large on its own
 * is reduced to its id and API link.
 */
export function envelope<D, I extends Item>(
  answer: ToolAnswer<D, I>,
  opts: { offset: number; limit: number; budget?: number },
): string {
  const budget = opts.budget ?? MCP_TEXT_BUDGET;
  const all = answer.items;
  const window = all.slice(opts.offset, opts.offset + opts.limit);
  const extra = answer.evidence ?? [];

  const build = (items: unknown[], data: unknown, cut: string[], returned: number): string => {
    const next = opts.offset + returned;
    const more = next < all.length || (!answer.complete && returned === window.length && window.length > 0);
    const page: Page = {
      total: Math.max(all.length, opts.offset),
      totalExact: answer.complete,
      offset: opts.offset,
      returned,
      cursor: more ? encodeCursor(next) : null,
    };
    const evidence = [...new Set([...extra, ...window.slice(0, returned).map((i) => i.id)])];
    return JSON.stringify({
      summary: answer.summary,
      data,
      items,
      page,
      evidence,
      links: answer.links,
      cut,
      budget: { maxChars: budget },
    });
  };

  for (const limits of [ROOMY, TIGHT]) {
    const dataCut: string[] = [];
    const data = shrink(answer.data, limits, 'data', dataCut);
    const itemCuts: string[][] = [];
    const items = window.map((it, i) => {
      const c: string[] = [];
      const v = shrink(it, limits, `items[${i}]`, c);
      itemCuts.push(c);
      return v;
    });
    // The largest count of items that fits: the text grows with each item, so search down.
    for (let n = items.length; n >= Math.min(1, items.length); n--) {
      const text = build(items.slice(0, n), data, [...dataCut, ...itemCuts.slice(0, n).flat()], n);
      if (text.length <= budget) return text;
      if (n > 8) n = Math.ceil(n * 0.75) + 1; // big pages: step faster
    }
  }
  // Even the tight facts do not fit beside one item: ids and links only.
  const bare = window.map((it) => ({ id: it.id, ...(it.api ? { api: it.api } : {}) }));
  const cut = ['data: left out (too large; see links)', 'items: ids and API links only'];
  for (let n = bare.length; n >= 0; n--) {
    const text = build(bare.slice(0, n), null, cut, n);
    if (text.length <= budget) return text;
  }
  return build([], null, cut, 0);
}
