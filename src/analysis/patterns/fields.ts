// Fields that span several whitespace-separated tokens, made one token before clustering, so
// that a field whose token count varies does not split a template (patterns@3):
//  - a value written with spaces in it (`2023-01-30 17:38:46`, `Sat May 04 07:00:00 2013`): a
//    token that starts with a value joins the value the token before ends with;
//  - a bracketed list or map that is a key's value (`stations=[a, b, c]`, `names: [x, y]`,
//    `prices: {a=1, b=2}`), however many elements it holds: one `[<*>]` or `{<*>}`.
// The shape cache still keys lines by their tokens as masked one by one; only the miner's
// clustering sees the joined fields.
import { WILDCARD } from './mask.js';
import type { SlotType } from './types.js';

function countWildcards(tok: string): number {
  let n = 0;
  for (let i = tok.indexOf(WILDCARD); i >= 0; i = tok.indexOf(WILDCARD, i + 3)) n++;
  return n;
}

/**
 * Where the run of values that starts `masked` ends: `<*>` joined to the next by nothing, `:`
 * or `.` (`<*>:<*>:<*>]` → 11), the joins Loghub's normalisation collapses too.
 */
export function valueRunEnd(masked: string): number {
  let i = WILDCARD.length;
  for (;;) {
    if (masked.startsWith(WILDCARD, i)) i += WILDCARD.length;
    else if ((masked.charCodeAt(i) === 58 || masked.charCodeAt(i) === 46) && masked.startsWith(WILDCARD, i + 1))
      i += 1 + WILDCARD.length;
    else return i;
  }
}

const OPEN = 91; // [
const CLOSE = 93; // ]
const OPEN_CURLY = 123; // {
const CLOSE_CURLY = 125; // }

/** Where a key's list or map opens in token i: the index of its `[` or `{`, or -1. */
function listStart(tokens: readonly string[], i: number): number {
  const t = tokens[i] as string;
  const square = t.indexOf('[');
  const curly = t.indexOf('{');
  const at = square < 0 ? curly : curly < 0 ? square : Math.min(square, curly);
  if (at < 0) return -1;
  if (at > 0) {
    const k = t.charCodeAt(at - 1);
    return k === 61 || k === 58 ? at : -1;
  }
  if (i === 0) return -1;
  const prev = tokens[i - 1] as string;
  const k = prev.charCodeAt(prev.length - 1);
  return prev.length > 1 && (k === 61 || k === 58) ? 0 : -1;
}

/**
 * The token and offset just after the bracket that closes the one at tokens[i][at], when it closes
 * in a later token; null when it closes in the same token or never.
 */
function listEnd(tokens: readonly string[], i: number, at: number): { j: number; k: number } | null {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j] as string;
    for (let k = j === i ? at : 0; k < t.length; k++) {
      const c = t.charCodeAt(k);
      if (c === OPEN || c === OPEN_CURLY) depth++;
      else if ((c === CLOSE || c === CLOSE_CURLY) && --depth === 0) return j === i ? null : { j, k: k + 1 };
    }
  }
  return null;
}

/** The slot types of the first `n` wildcards of a token, and of its last `n`. */
function head(types: readonly SlotType[], n: number): SlotType[] {
  return types.slice(0, n);
}
function tail(types: readonly SlotType[], n: number): SlotType[] {
  return n === 0 ? [] : types.slice(Math.max(0, types.length - n));
}

/**
 * The line's tokens with multi-token fields joined (see the header), and their slot types;
 * `tokens` and `types` are left as they are. Returns the inputs themselves when nothing joins.
 */
export function joinFields(
  tokens: readonly string[],
  types: readonly SlotType[][],
): { tokens: string[]; types: SlotType[][] } | null {
  let out: string[] | null = null;
  let outTypes: SlotType[][] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const at = listStart(tokens, i);
    const end = at >= 0 ? listEnd(tokens, i, at) : null;
    if (out === null && (end !== null || (i > 0 && joinsValue(tokens[i - 1] as string, t)))) {
      out = tokens.slice(0, i);
      outTypes = types.slice(0, i).map((x) => x.slice());
    }
    if (out === null || outTypes === null) continue;
    if (end !== null) {
      const before = t.slice(0, at);
      const after = (tokens[end.j] as string).slice(end.k);
      const nb = countWildcards(before);
      const na = countWildcards(after);
      out.push(`${before}${t.charAt(at)}${WILDCARD}${t.charAt(at) === '{' ? '}' : ']'}${after}`);
      outTypes.push([...head(types[i] as SlotType[], nb), 'mixed', ...tail(types[end.j] as SlotType[], na)]);
      i = end.j;
      continue;
    }
    const last = out.length - 1;
    if (last >= 0 && joinsValue(out[last] as string, t)) {
      const rest = t.slice(valueRunEnd(t));
      out[last] += rest;
      (outTypes[last] as SlotType[]).push(...tail(types[i] as SlotType[], countWildcards(rest)));
      continue;
    }
    out.push(t);
    outTypes.push((types[i] as SlotType[]).slice());
  }
  return out === null || outTypes === null ? null : { tokens: out, types: outTypes };
}

/** Does a token that starts with a value continue the value the token before ends with? */
function joinsValue(prev: string, t: string): boolean {
  return t.startsWith(WILDCARD) && prev.endsWith(WILDCARD);
}
