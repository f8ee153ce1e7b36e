// Code-aware tokenization for retrieval: words, identifiers split at camelCase and
// snake_case, and whole identifiers and dotted names kept as terms beside their parts, so
// `NullPointerException` matches both the exception's name and "null pointer", and
// `org.acme.OrderService` matches the class and its package words.

/** Texts longer than this are cut: retrieval needs no more, and hostile input costs nothing. */
export const MAX_TOKENIZE_INPUT = 1024 * 1024;

// An identifier, or several joined by dots (`a.b.C`, `java.io.EOFException`, `self.cart_id`).
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*/g;
// The words of one identifier: an upper-case run not followed by lower case (`SO` in
// `SOContainer`), a capitalised or lower-case word, or a digit run.
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;
const MAX_NAME = 200;

/** Common English function words: frequent in prose and in comments, never a topic. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves also may might must shall us let get got etc'
  ).split(' '),
);

export interface TokenizeOptions {
  /** Drop STOPWORDS (default true). */
  stopwords?: boolean;
  /** Reduce words to their stem with `stem` (default true). Whole identifiers and dotted
   *  names are never stemmed: they are names, matched exactly. */
  stem?: boolean;
}

/**
 * The terms of a text, lower-cased, in order, repeats kept (term frequency matters):
 * - a dotted name gives itself whole, then each of its segments as below;
 * - an identifier made of several words gives itself whole and then its words;
 * - a word gives itself, stemmed. Words shorter than 2 letters and digit runs are dropped.
 *
 * `getUserById` → `getuserbyid`, `user`, `id` (`get` and `by` are stopwords).
 */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  const dropStop = opts.stopwords ?? true;
  const doStem = opts.stem ?? true;
  const s = text.length > MAX_TOKENIZE_INPUT ? text.slice(0, MAX_TOKENIZE_INPUT) : text;
  const out: string[] = [];
  const word = (w: string) => {
    if (w.length < 2 || (w.charCodeAt(0) >= 48 && w.charCodeAt(0) <= 57)) return;
    const lw = w.toLowerCase();
    if (dropStop && STOPWORDS.has(lw)) return;
    out.push(doStem ? stem(lw) : lw);
  };
  const identifier = (id: string) => {
    const words = id.match(WORD);
    if (!words) return;
    const whole = id.replace(/^[_$]+|[_$]+$/g, '').toLowerCase();
    if (words.length === 1 && words[0]!.toLowerCase() === whole) {
      word(words[0]!);
      return;
    }
    if (whole.length >= 2 && !STOPWORDS.has(whole)) out.push(whole);
    for (const w of words) word(w);
  };
  for (const m of s.matchAll(NAME)) {
    const name = m[0].length > MAX_NAME ? m[0].slice(0, MAX_NAME) : m[0];
    if (name.includes('.')) {
      const segments = name.split('.');
      out.push(name.toLowerCase());
      for (const seg of segments) identifier(seg);
    } else {
      identifier(name);
    }
  }
  return out;
}

const VOWEL = /[aeiouy]/;

/**
 * A light suffix-stripping stemmer (plural, -ing, -ed, -ly, a final e): conservative,
 * so that a code word is rarely merged with an unrelated one. `connections` → `connection`,
 * `connecting` → `connect`, `disposed` → `dispos`, `dispose` → `dispos`.
 */
export function stem(w: string): string {
  if (w.length <= 3) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is') && s.length > 3)
    s = s.slice(0, -1);
  if (s.endsWith('ing') && s.length > 5 && VOWEL.test(s.slice(0, -3))) s = s.slice(0, -3);
  else if (s.endsWith('ed') && s.length > 4 && VOWEL.test(s.slice(0, -2))) s = s.slice(0, -2);
  else if (s.endsWith('ly') && s.length > 4) s = s.slice(0, -2);
  // `dispos(e)`, `creat(e)`: a trailing e is dropped so the verb and its -ed/-ing forms meet.
  if (s.endsWith('e') && s.length > 4) s = s.slice(0, -1);
  // Doubled final consonant left by -ing/-ed (`stopp` → `stop`).
  const n = s.length;
  if (n >= 4 && s[n - 1] === s[n - 2] && !'lsz'.includes(s[n - 1]!) && !VOWEL.test(s[n - 1]!)) s = s.slice(0, -1);
  return s;
}
