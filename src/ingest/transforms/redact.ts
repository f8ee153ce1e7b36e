// The `redact` transform: secrets and personal data leave telemetry before anything is
// stored. Pure and in place: batch functions mutate the records they are given (the hot
// path makes no copies) and say what they changed.
//
// Built-in rules, in the order they run (their names are the config surface: `disable`
// takes them, and stats are counted under them):
//   url_password      scheme://user:password@host        → scheme://user:[REDACTED]@host
//   bearer            Bearer <token> (8+ characters, not a plain word), Basic <base64 that
//                     decodes to user:pass>              → Bearer [REDACTED] (scheme kept as written)
//   api_key           values of secret keys written in text: key=value (query strings, logfmt;
//                     bare `key=`/`sig=` only in query strings), "password": "…" (JSON, also
//                     inside a JSON-encoded string), password: '…' (inspect/YAML, quoted values
//                     only), secret headers (Authorization:, Cookie:, X-Api-Key: …)
//                                                        → [REDACTED], key kept;
//                     and well-known key shapes anywhere: sk-… (with digits and capitals),
//                     sk_/pk_/rk_ live|test, AKIA/ASIA…, gh[pousr]_…, github_pat_…, xox[baprs]-…,
//                     AIza…                              → [REDACTED]
//   jwt               eyJ<header>.<payload>.<signature>  → [JWT]
//   card              13–19 digits, contiguous or grouped 4-4-4-4(-3) / 4-6-4(5) by spaces or
//                     dashes, first digit 2–6 (the payment-card industries of ISO/IEC 7812),
//                     Luhn-valid                         → [CARD]
//   email             the project's one email rule (EMAIL_PATTERN) → [EMAIL]; in user and
//                     account id fields and attributes → keyedHash(hashKey, email), so one
//                     person counts once across tickets and telemetry; in ticket text (text()
//                     with emails: 'mention') → [email <keyed hash>], the form mentions read back
//   secret_attribute  an attribute whose key names a secret (last dotted segment password,
//                     token, authorization, cookie, api_key, …, or ending in _token, _secret, …;
//                     camelCase too)                     → the whole value becomes [REDACTED]
// Custom rules (config `rules`) run after the built-ins, on every string. Each match a rule
// replaces counts once in `byRule`; emails hashed in id fields count as `email_hash`.
// What the text rules run on: log bodies, span status messages, span names, span event and
// log event names (names embed URLs, ids and emails: `GET /users/jane@example.com` is stored
// as `GET /users/[EMAIL]`, one name for the endpoint), every string attribute value, the
// fields lifted from attributes (service, version, environment, http route), and, through
// text() and attributes(), what the workflows store beside telemetry (ticket text, deploy
// attributes, infrastructure labels and tags). Not redacted: attribute keys, metric names and
// scope names (code identifiers), and ids that are keys (trace and span ids, ticket ids).
//
// Cost: each rule sits behind a precheck (`includes` of a literal or a one-line regex), so
// a string with nothing suspicious costs a few native searches; strings shorter than six
// characters skip the built-ins; attribute values and names already seen clean are
// remembered; a record's lifted resource fields are the same strings as the record's before
// it, so they are looked at once per run of records. Every pattern is linear in the input
// (bounded repetitions, scans that never re-read a value).
import { EMAIL_PATTERN, isKeyedHash, keyedHash } from '../../analysis/index.js';
import type { AttributeValue, Attributes, LogRecord, MetricPoint, SemanticFields, Span } from '../../model/index.js';

/**
 * Stored results record the algorithm that produced them (STYLE rule 4). redact@2: span names,
 * event names and lifted fields are redacted too; so are tickets, deploys and infrastructure.
 */
export const REDACT_ALGORITHM = 'redact@2';

export const BUILTIN_RULE_NAMES = [
  'url_password',
  'bearer',
  'api_key',
  'jwt',
  'card',
  'email',
  'secret_attribute',
] as const;
export type BuiltinRuleName = (typeof BUILTIN_RULE_NAMES)[number];

/** A compiled text rule: every match of `pattern` (global) that passes `validate` becomes `replacement`. */
export interface RedactionRule {
  name: string;
  pattern: RegExp;
  /** String.replace syntax: `$1`, `$<name>`, `$&` and `$$` are expanded. */
  replacement: string;
  /** Must be pure: a value that came back unchanged may be remembered as clean. */
  validate?: (match: string) => boolean;
  /** A cheap test run first: false means the pattern cannot match, so it is not run. */
  precheck?: (s: string) => boolean;
}

/** A rule as written in a config file or in JSON from the environment. */
export interface RedactionRuleSpec {
  name: string;
  pattern: string;
  /** RegExp flags; `g` is added when missing. */
  flags?: string;
  /** Default `[REDACTED]`. */
  replacement?: string;
}

export interface RedactionConfig {
  /** Extra rules; run after the built-ins. Names must be unique and not a built-in's. */
  rules?: Array<RedactionRuleSpec | RedactionRule>;
  /** Built-in rules to turn off, by name (BUILTIN_RULE_NAMES). */
  disable?: string[];
  /** The per-install key for keyed hashes of emails used as user and account ids. */
  hashKey: string;
  /** What becomes of an email in a user or account id: its keyed hash (the only choice today). */
  userIdEmails?: 'hash';
}

export interface RedactionStats {
  /** Values changed: a log body, one attribute value, a status message, a user id … */
  redacted: number;
  /** Replacements per rule (a value can hold several). */
  byRule: Record<string, number>;
}

/**
 * What an email becomes: `placeholder` `[EMAIL]`; `hash` its keyed hash `h:…` (what user and
 * account ids get: a lone email becomes the bare hash); `mention` `[email h:…]`, the form
 * ticket text is stored in, which mention extraction reads back as that person.
 */
export type EmailForm = 'placeholder' | 'hash' | 'mention';

export interface TextOptions {
  /** Default `placeholder`. */
  emails?: EmailForm;
}

export interface Redactor {
  /** One string, with every text rule applied. */
  text(s: string, opts?: TextOptions): string;
  /**
   * A plain attribute map (deploy attributes, labels, tags), in place, as record attributes
   * are: a secret-named key's value becomes [REDACTED], every other string (nested ones too)
   * goes through the text rules, and an email in a user or account id key becomes its hash.
   */
  attributes(attrs: Attributes): RedactionStats;
  logs(records: LogRecord[]): RedactionStats;
  spans(records: Span[]): RedactionStats;
  metrics(points: MetricPoint[]): RedactionStats;
}

const REDACTED = '[REDACTED]';
/** Built-in text rules cannot match anything shorter (`a@b.co`). */
const MIN_BUILTIN_LENGTH = 6;
const CLEAN_CACHE_GENERATION = 4096;
const CLEAN_NAMES_GENERATION = 1024;
const CLEAN_CACHE_MAX_LENGTH = 512;

// ---------------------------------------------------------------------------------------
// Secret keys: attribute keys, and keys written in text (password=…, "token": "…").

const SECRET_NAMES = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set_cookie',
  'credential',
  'credentials',
  'private_key',
  'secret_key',
  'signature',
]);
const SECRET_SUFFIXES = [
  '_password',
  '_passwd',
  '_passphrase',
  '_secret',
  '_token',
  '_api_key',
  '_apikey',
  '_authorization',
  '_cookie',
  '_credential',
  '_credentials',
  '_private_key',
  '_secret_key',
  '_access_key',
  '_signature',
];
/** Keys that are secret only in a query string (`?key=…`): elsewhere `key=` is usually a cache or map key. */
const QUERY_ONLY_NAMES = new Set(['key', 'sig']);
/** Headers whose value is a credential when written as `Name: value` in text. */
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie']);
const TOKEN_HEADERS = new Set([
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-goog-api-key',
]);

/**
 * The last three characters (lower-cased) of every name above, packed in a number: a key
 * that does not end in one of them cannot be secret, which is decided without slicing or
 * lower-casing it (keys in text are checked at every `=` and `:`).
 */
const SECRET_ENDINGS = new Set<number>();
/** The last two characters alone, as a 128×128 table: most keys are ruled out by it. */
const SECRET_LAST_TWO = new Uint8Array(128 * 128);
const lower = (c: number) => (c | 32) & 127;
function endingAt(s: string, end: number): number {
  return (lower(s.charCodeAt(end - 3)) << 14) | (lower(s.charCodeAt(end - 2)) << 7) | lower(s.charCodeAt(end - 1));
}
for (const name of [
  ...SECRET_NAMES,
  ...SECRET_SUFFIXES,
  ...QUERY_ONLY_NAMES,
  ...AUTH_HEADERS,
  ...COOKIE_HEADERS,
  ...TOKEN_HEADERS,
]) {
  const e = endingAt(name, name.length);
  SECRET_ENDINGS.add(e);
  SECRET_LAST_TWO[e & 0x3fff] = 1;
}
/** Whether s[..end) may end in a secret key name. */
function secretEnding(s: string, end: number): boolean {
  if (end < 3) return false;
  const e = endingAt(s, end);
  return SECRET_LAST_TWO[e & 0x3fff] === 1 && SECRET_ENDINGS.has(e);
}

const CAMEL = /([a-z0-9])([A-Z])/g;
const secretKeyCache = new Map<string, boolean>();
const KEY_CACHE_LIMIT = 8192;

function secretKeyUncached(key: string): boolean {
  const seg = key
    .slice(key.lastIndexOf('.') + 1)
    .replace(CAMEL, '$1_$2')
    .toLowerCase()
    .replaceAll('-', '_');
  if (SECRET_NAMES.has(seg)) return true;
  for (const suffix of SECRET_SUFFIXES) if (seg.endsWith(suffix)) return true;
  return false;
}

/**
 * Whether an attribute key (or a key written in text) names a secret: its last dotted
 * segment, case- and separator-insensitive, is one of the secret names or ends in one
 * (`http.request.header.authorization`, `db.password`, `accessToken`, `x-api-key`).
 */
export function isSecretKey(key: string): boolean {
  if (!secretEnding(key, key.length)) return false;
  let v = secretKeyCache.get(key);
  if (v === undefined) {
    v = secretKeyUncached(key);
    if (secretKeyCache.size >= KEY_CACHE_LIMIT) secretKeyCache.clear();
    secretKeyCache.set(key, v);
  }
  return v;
}

/** Attributes that hold who the user or account is: an email there becomes its keyed hash. */
const IDENTITY_KEYS = new Set([
  'enduser.id',
  'user.id',
  'enduser.pseudo.id',
  'user.email',
  'enduser.email',
  'user.name',
  'account.id',
  'enduser.account.id',
  'tenant.id',
  'organization.id',
]);

/** IDENTITY_KEYS.has, after a look at the last character (d, l or e) that rules out most keys. */
function isIdentityKey(key: string): boolean {
  const last = key.charCodeAt(key.length - 1);
  return (last === 100 || last === 108 || last === 101) && IDENTITY_KEYS.has(key);
}

// ---------------------------------------------------------------------------------------
// Text passes: each runs one rule over a string (its precheck already passed) and returns
// it unchanged (the same string) when nothing matched.

interface Tally {
  byRule: Record<string, number>;
}

function count(t: Tally | null, rule: string, n: number): void {
  if (t) t.byRule[rule] = (t.byRule[rule] ?? 0) + n;
}

interface Pass {
  rule: string;
  precheck: ((s: string) => boolean) | null;
  run(s: string, t: Tally | null, emails: EmailForm): string;
}

type Expand = (args: unknown[]) => string;

/** Compiles a String.replace replacement (`$1`, `$<name>`, `$&`, `$$`) for use in a callback. */
function compileReplacement(rep: string): Expand {
  if (!rep.includes('$')) return () => rep;
  const parts: Array<string | number | { name: string }> = [];
  const re = /\$(?:(\$)|(&)|(\d{1,2})|<([^>]*)>)/g;
  let at = 0;
  for (const m of rep.matchAll(re)) {
    parts.push(rep.slice(at, m.index));
    if (m[1]) parts.push('$');
    else if (m[2]) parts.push(0);
    else if (m[3]) parts.push(Number(m[3]));
    else parts.push({ name: m[4]! });
    at = m.index + m[0].length;
  }
  parts.push(rep.slice(at));
  return (args) => {
    let out = '';
    const last = args[args.length - 1];
    const groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') out += (args[p] as string | undefined) ?? '';
      else out += groups?.[p.name] ?? '';
    }
    return out;
  };
}

function regexPass(rule: RedactionRule): Pass {
  const re = rule.pattern.global ? rule.pattern : new RegExp(rule.pattern.source, `${rule.pattern.flags}g`);
  const expand = compileReplacement(rule.replacement);
  const { validate, precheck } = rule;
  let hits = 0;
  const replacer = (...args: unknown[]): string => {
    const match = args[0] as string;
    if (validate && !validate(match)) return match;
    hits++;
    return expand(args);
  };
  return {
    rule: rule.name,
    precheck: precheck ?? null,
    run(s, t) {
      hits = 0;
      re.lastIndex = 0;
      const out = s.replace(re, replacer);
      if (hits === 0) return s;
      count(t, rule.name, hits);
      return out;
    },
  };
}

// url_password ---------------------------------------------------------------------------

const URL_PASSWORD: RedactionRule = {
  name: 'url_password',
  // Bounded user and password lengths keep a hostile line (many `x://a:` and no `@`) linear.
  pattern: /\b([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/?#@[\]"'<>]{0,128}):([^\s/?#[\]"'<>]{1,256})@/g,
  replacement: `$1:${REDACTED}@`,
  precheck: (s) => s.includes('://') && s.includes('@'),
};

// bearer -----------------------------------------------------------------------------------

/** A bearer token, not a word: long enough, with a digit, a symbol or an inner capital. */
function tokenLike(token: string): boolean {
  return token.length >= 8 && (/[0-9._~+/=-]/.test(token) || /[a-z][A-Z]|[A-Z]{2}/.test(token));
}

/** Basic credentials are base64 of `user:password`; "basic plan" is not. */
function basicCredentials(token: string): boolean {
  if (token.length < 4) return false;
  try {
    return atob(token).includes(':');
  } catch {
    return false;
  }
}

const BEARER_GATE = /earer|asic/i;

const BEARER: RedactionRule = {
  name: 'bearer',
  pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/gi,
  replacement: `$1 ${REDACTED}`,
  validate: (m) => {
    const sp = m.search(/\s/);
    const token = m.slice(sp).trimStart();
    return m.charCodeAt(1) === 101 || m.charCodeAt(1) === 69 ? tokenLike(token) : basicCredentials(token);
  },
  precheck: (s) => BEARER_GATE.test(s),
};

// api_key: secret keys written in text ------------------------------------------------------

const C_QUOTE = 34;
const C_APOS = 39;
const C_BACKSLASH = 92;

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Length of a `[PLACEHOLDER]` at `at` (what a rule already wrote), or 0. */
function placeholderAt(s: string, at: number): number {
  if (s.charCodeAt(at) !== 91) return 0;
  for (let i = at + 1; i < s.length && i < at + 24; i++) {
    const c = s.charCodeAt(i);
    if (c === 93) return i > at + 1 ? i - at + 1 : 0;
    if (!((c >= 65 && c <= 90) || c === 95)) return 0;
  }
  return 0;
}

/** Unquoted values end at whitespace or a delimiter: & , ; quotes ( ) { } ] < > \ */
function isValueEnd(c: number): boolean {
  return (
    c <= 32 ||
    c === 38 ||
    c === 44 ||
    c === 59 ||
    c === 34 ||
    c === 39 ||
    c === 40 ||
    c === 41 ||
    c === 123 ||
    c === 125 ||
    c === 93 ||
    c === 60 ||
    c === 62 ||
    c === 92
  );
}

function lineEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}

function skipSpaces(s: string, from: number): number {
  let i = from;
  while (i < s.length && i < from + 8 && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * The [start, end) of the value that starts at `at`: inside quotes (", ' or \" in a
 * JSON-encoded string), else up to a delimiter. Null when there is no value or it is
 * already a placeholder.
 */
function valueAt(s: string, at: number): [number, number] | null {
  if (at >= s.length) return null;
  let c = s.charCodeAt(at);
  let escaped = false;
  if (c === C_BACKSLASH && s.charCodeAt(at + 1) === C_QUOTE) {
    escaped = true;
    at++;
    c = C_QUOTE;
  }
  if (c === C_QUOTE || c === C_APOS) {
    const start = at + 1;
    let i = start;
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i);
      if (d === C_BACKSLASH) {
        if (escaped && s.charCodeAt(i + 1) === c) break;
        i++;
        continue;
      }
      if (d === c || d === 10) break;
    }
    const end = Math.min(i, s.length);
    if (end === start || placeholderAt(s, start) === end - start) return null;
    return [start, end];
  }
  if (placeholderAt(s, at) > 0) return null;
  let i = at;
  while (i < s.length && !isValueEnd(s.charCodeAt(i))) i++;
  // `token=Token{a64f992 …}` is an object's rendering (a handle), not a secret string.
  const next = s.charCodeAt(i);
  if (next === 123 || next === 40) return null;
  return i > at ? [at, i] : null;
}

/** `Name: value` for a secret header: the credential after an auth scheme, a cookie to the line's end, a key token. */
function headerValue(s: string, name: string, at: number): [number, number] | null {
  if (placeholderAt(s, at) > 0) return null;
  if (COOKIE_HEADERS.has(name)) {
    const end = lineEnd(s, at);
    return end > at ? [at, end] : null;
  }
  let end = at;
  while (end < s.length && s.charCodeAt(end) > 32) end++;
  if (end === at) return null;
  if (AUTH_HEADERS.has(name) && /^[A-Za-z][A-Za-z0-9-]*$/.test(s.slice(at, end)) && s.charCodeAt(end) === 32) {
    // `Scheme credentials`: keep the scheme (Bearer, Token, Digest …).
    const cred = end + 1;
    if (cred >= s.length || placeholderAt(s, cred) > 0) return null;
    const stop = lineEnd(s, cred);
    return stop > cred ? [cred, stop] : null;
  }
  return [at, end];
}

/** The value of `authorization=…`: after a `Scheme ` (kept, like the header form), else the whole value. */
function authValueAt(s: string, at: number): [number, number] | null {
  let e = at;
  while (e < s.length && isLetter(s.charCodeAt(e))) e++;
  if (e > at && s.charCodeAt(e) === 32 && e + 1 < s.length) return valueAt(s, e + 1);
  return valueAt(s, at);
}

/** Finds the values of secret keys written in text; pushes them to `edits` as start, end pairs. */
function keyValueEdits(s: string, edits: number[]): void {
  let v: [number, number] | null;

  // key=value
  for (let i = s.indexOf('='); i !== -1; i = s.indexOf('=', i + 1)) {
    if (!secretEnding(s, i) || s.charCodeAt(i + 1) === 61) continue;
    let k = i;
    while (k > 0 && i - k <= 64 && isKeyChar(s.charCodeAt(k - 1))) k--;
    const len = i - k;
    if (len < 3 || len > 64) continue;
    const key = s.slice(k, i);
    const prev = k > 0 ? s.charCodeAt(k - 1) : -1;
    const name = key.toLowerCase();
    if (AUTH_HEADERS.has(name)) v = authValueAt(s, i + 1);
    else if (isSecretKey(key) || ((prev === 63 || prev === 38) && QUERY_ONLY_NAMES.has(name))) v = valueAt(s, i + 1);
    else continue;
    if (v) {
      edits.push(v[0], v[1]);
      i = v[1] - 1; // go on after the value: each character is read once
    }
  }

  // "key": "value", 'key': 'value', key: 'value', Header: value
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) {
    const p = i > 0 ? s.charCodeAt(i - 1) : -1;
    if (p === C_QUOTE || p === C_APOS) {
      // The key's closing quote is at i - 1; in a JSON-encoded string it is \" and the key ends before the backslash.
      let keyEnd = i - 1;
      if (p === C_QUOTE && s.charCodeAt(keyEnd - 1) === C_BACKSLASH) keyEnd--;
      if (!secretEnding(s, keyEnd)) continue;
      let open = keyEnd - 1;
      while (open >= 0 && keyEnd - open <= 65 && s.charCodeAt(open) !== p) open--;
      if (open < 0 || keyEnd - open > 65) continue;
      if (keyEnd - open - 1 < 3 || !isSecretKey(s.slice(open + 1, keyEnd))) continue;
      const at = skipSpaces(s, i + 1);
      const c = s.charCodeAt(at);
      if (c === 123 || c === 91) continue; // an object or array: its own keys decide
      if (s.startsWith('null', at) || s.startsWith('true', at) || s.startsWith('false', at)) continue;
      v = valueAt(s, at);
    } else if (isLetter(p) && secretEnding(s, i)) {
      let k = i - 1;
      while (k > 0 && i - k <= 64 && isKeyChar(s.charCodeAt(k - 1))) k--;
      if (i - k < 3 || i - k > 64) continue;
      const key = s.slice(k, i);
      const at = skipSpaces(s, i + 1);
      const c = s.charCodeAt(at);
      if ((c === C_QUOTE || c === C_APOS) && isSecretKey(key)) v = valueAt(s, at);
      else if (at === i + 1)
        continue; // a header has a space after the colon
      else {
        const name = key.toLowerCase();
        if (!AUTH_HEADERS.has(name) && !COOKIE_HEADERS.has(name) && !TOKEN_HEADERS.has(name)) continue;
        v = headerValue(s, name, at);
      }
    } else continue;
    if (v) {
      edits.push(v[0], v[1]);
      i = v[1] - 1;
    }
  }
}

function applyEdits(s: string, edits: number[]): { out: string; n: number } {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < edits.length; i += 2) pairs.push([edits[i]!, edits[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let n = 0;
  for (const [start, end] of pairs) {
    if (start < at) continue; // inside a value already redacted
    out += s.slice(at, start) + REDACTED;
    at = end;
    n++;
  }
  return { out: out + s.slice(at), n };
}

/** Scratch space for keyValueEdits (runs are synchronous, so one array serves them all). */
const EDITS: number[] = [];

const KEY_VALUE_PASS: Pass = {
  rule: 'api_key',
  precheck: (s) => s.includes('=') || s.includes(':'),
  run(s, t) {
    const edits = EDITS;
    edits.length = 0;
    keyValueEdits(s, edits);
    if (edits.length === 0) return s;
    const { out, n } = applyEdits(s, edits);
    count(t, 'api_key', n);
    return out;
  },
};

// api_key: well-known shapes -----------------------------------------------------------------

const KEY_PREFIX = /sk-|[spr]k_|A[KS]IA|gh[pousr]_|github_pat_|xox[baprs]-|AIza/;

const KEY_SHAPES: RedactionRule = {
  name: 'api_key',
  pattern:
    /(?<![\w-])(?:sk-[A-Za-z0-9_-]{20,}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|A(?:KI|SI)A[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})(?![\w-])/g,
  replacement: REDACTED,
  // sk-… alone is also how some host and cluster names start; a key has digits and capitals.
  validate: (m) => !m.startsWith('sk-') || (/[0-9]/.test(m) && /[A-Z]/.test(m)),
  precheck: (s) => KEY_PREFIX.test(s),
};

// jwt ----------------------------------------------------------------------------------------

const JWT: RedactionRule = {
  name: 'jwt',
  pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?![\w-])/g,
  replacement: '[JWT]',
  precheck: (s) => s.includes('eyJ'),
};

// card ---------------------------------------------------------------------------------------

/** The Luhn checksum over the digits of a string (separators skipped). */
function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function cardValid(m: string): boolean {
  const first = m.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(m);
}

/** Every card format starts with eight digits, perhaps split 4+4 by a space or a dash. */
const CARD_GATE = /\d{4}[ -]?\d{4}/;

const CARD: RedactionRule = {
  name: 'card',
  pattern:
    /(?<![\w.-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-])(?!\.\d)/g,
  replacement: '[CARD]',
  validate: cardValid,
  precheck: (s) => CARD_GATE.test(s),
};

// email --------------------------------------------------------------------------------------

const EMAIL_RE = new RegExp(EMAIL_PATTERN, 'g');
/** An email's keyed hash as ticket text stores it: analysis/ticket-mentions' redactEmails form, which extraction reads back. */
const emailMention = (hash: string) => `[email ${hash}]`;
const HASH_CACHE_LIMIT = 10_000;
/** `h:` and 64 hex digits. */
const HASH_LENGTH = 66;

function emailPass(hashKey: string): Pass {
  const hashes = new Map<string, string>();
  const hashOf = (email: string): string => {
    let h = hashes.get(email);
    if (h === undefined) {
      h = keyedHash(hashKey, email.replace(/%40/i, '@'));
      if (hashes.size >= HASH_CACHE_LIMIT) hashes.clear();
      hashes.set(email, h);
    }
    return h;
  };
  let hits = 0;
  const toPlaceholder = () => {
    hits++;
    return '[EMAIL]';
  };
  const toHash = (m: string) => {
    hits++;
    return hashOf(m);
  };
  const toMention = (m: string) => {
    hits++;
    return emailMention(hashOf(m));
  };
  return {
    rule: 'email',
    precheck: (s) => s.includes('@') || s.includes('%40'),
    run(s, t, emails) {
      hits = 0;
      EMAIL_RE.lastIndex = 0;
      const identity = emails === 'hash';
      let out = s.replace(EMAIL_RE, identity ? toHash : emails === 'mention' ? toMention : toPlaceholder);
      if (hits === 0) return s;
      // ` Jane@Example.com ` as a user id is that user: the hash alone, as keyedHash gives it.
      if (identity && hits === 1 && out.length > HASH_LENGTH) {
        const trimmed = out.trim();
        if (trimmed.length === HASH_LENGTH && isKeyedHash(trimmed)) out = trimmed;
      }
      count(t, emails === 'placeholder' ? 'email' : 'email_hash', hits);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Config

function compileSpec(spec: RedactionRuleSpec): RedactionRule {
  const flags = spec.flags ?? '';
  let pattern: RegExp;
  try {
    pattern = new RegExp(spec.pattern, flags.includes('g') ? flags : `${flags}g`);
  } catch (err) {
    throw new Error(
      `redaction rule "${spec.name}": invalid pattern /${spec.pattern}/${flags}: ${(err as Error).message}`,
    );
  }
  return { name: spec.name, pattern, replacement: spec.replacement ?? REDACTED };
}

function checkCustom(rule: RedactionRule, seen: Set<string>): void {
  if (!rule.name || typeof rule.name !== 'string') throw new Error('redaction rule without a name');
  if ((BUILTIN_RULE_NAMES as readonly string[]).includes(rule.name) || rule.name === 'email_hash') {
    throw new Error(
      `redaction rule "${rule.name}": the name of a built-in rule; disable the built-in and give yours another name`,
    );
  }
  if (seen.has(rule.name)) throw new Error(`redaction rule "${rule.name}": defined twice`);
  seen.add(rule.name);
  const probe = new RegExp(rule.pattern.source, rule.pattern.flags.replace(/[gy]/g, ''));
  if (probe.test(''))
    throw new Error(`redaction rule "${rule.name}": pattern /${rule.pattern.source}/ matches the empty string`);
}

// ---------------------------------------------------------------------------------------
// The redactor

/** Strings seen to come back unchanged, in two generations: the older is dropped when the newer fills. */
class CleanCache {
  private now = new Set<string>();
  private before = new Set<string>();
  constructor(private readonly generation: number) {}

  has(s: string): boolean {
    return this.now.has(s) || this.before.has(s);
  }

  add(s: string): void {
    if (this.now.size >= this.generation) {
      this.before = this.now;
      this.now = new Set();
    }
    this.now.add(s);
  }
}

/**
 * Compiles the built-in rules (less those disabled) and the custom ones into a Redactor.
 * Throws an Error naming the rule for a bad pattern (or one that matches the empty string),
 * a duplicate name or a built-in's, and for an unknown name in `disable`. A Redactor keeps
 * small caches (clean attribute values, email hashes), so make one and reuse it.
 */
export function compileRedactor(config: RedactionConfig): Redactor {
  if (!config.hashKey) throw new Error('redaction needs a non-empty hashKey (the per-install key for email hashes)');
  if (config.userIdEmails !== undefined && config.userIdEmails !== 'hash') {
    throw new Error(`redaction: userIdEmails must be "hash", not ${JSON.stringify(config.userIdEmails)}`);
  }
  const disabled = new Set(config.disable ?? []);
  for (const name of disabled) {
    if (!(BUILTIN_RULE_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `redaction: cannot disable unknown built-in rule "${name}" (built-ins: ${BUILTIN_RULE_NAMES.join(', ')})`,
      );
    }
  }
  const on = (name: BuiltinRuleName) => !disabled.has(name);

  // Built-ins run in a fixed order, each behind its precheck, written out so that a clean
  // string costs a few direct calls (no loop over a list of closures).
  const urlPassword = on('url_password') ? regexPass(URL_PASSWORD) : null;
  const bearer = on('bearer') ? regexPass(BEARER) : null;
  const keyValues = on('api_key') ? KEY_VALUE_PASS : null;
  const keyShapes = on('api_key') ? regexPass(KEY_SHAPES) : null;
  const jwt = on('jwt') ? regexPass(JWT) : null;
  const card = on('card') ? regexPass(CARD) : null;
  const email = on('email') ? emailPass(config.hashKey) : null;
  const custom: Pass[] = [];
  const seen = new Set<string>();
  for (const r of config.rules ?? []) {
    const rule = typeof r.pattern === 'string' ? compileSpec(r as RedactionRuleSpec) : (r as RedactionRule);
    checkCustom(rule, seen);
    custom.push(regexPass(rule));
  }
  const secretAttributes = on('secret_attribute');

  // Attribute values and names seen to come back unchanged: they repeat (routes, user
  // agents, statements, hosts; span names per endpoint), and a set lookup is cheaper than the
  // prechecks. Names have their own cache, so that names made unique by raw URLs cannot push
  // the attribute values out. Bodies are mostly distinct, so they skip it. Only clean strings
  // are kept, never secrets.
  const cleanValues = new CleanCache(CLEAN_CACHE_GENERATION);
  const cleanNames = new CleanCache(CLEAN_NAMES_GENERATION);

  /** An attribute value, an id field or a name: often one seen before. */
  function redactValue(s: string, t: Tally | null, emails: EmailForm, clean: CleanCache): string {
    if (s.length < MIN_BUILTIN_LENGTH && custom.length === 0) return s;
    const cacheable = s.length <= CLEAN_CACHE_MAX_LENGTH;
    if (cacheable && clean.has(s)) return s;
    const out = redactText(s, t, emails);
    if (cacheable && out === s) clean.add(s);
    return out;
  }

  function redactText(s: string, t: Tally | null, emails: EmailForm): string {
    let out = s;
    if (s.length >= MIN_BUILTIN_LENGTH) {
      const at = s.includes('@');
      if (urlPassword && at && s.includes('://')) out = urlPassword.run(out, t, emails);
      if (bearer && BEARER_GATE.test(out)) out = bearer.run(out, t, emails);
      if (keyValues && (out.includes('=') || out.includes(':'))) out = keyValues.run(out, t, emails);
      if (keyShapes && KEY_PREFIX.test(out)) out = keyShapes.run(out, t, emails);
      if (jwt && out.includes('eyJ')) out = jwt.run(out, t, emails);
      if (card && CARD_GATE.test(out)) out = card.run(out, t, emails);
      if (email && (at || out.includes('%40'))) out = email.run(out, t, emails);
    }
    for (const p of custom) if (!p.precheck || p.precheck(out)) out = p.run(out, t, emails);
    return out;
  }

  /** Counts and state for one batch call. */
  class Batch implements Tally {
    redacted = 0;
    byRule: Record<string, number> = {};
    readonly seen = new WeakSet<object>();

    /** Free text: a log body, a status message. */
    text(s: string): string {
      const out = redactText(s, this, 'placeholder');
      if (out !== s) this.redacted++;
      return out;
    }

    /** An attribute value, a lifted field or an id field. */
    string(s: string, identity: boolean): string {
      const out = redactValue(s, this, identity ? 'hash' : 'placeholder', cleanValues);
      if (out !== s) this.redacted++;
      return out;
    }

    /** A span or event name. */
    name(s: string): string {
      const out = redactValue(s, this, 'placeholder', cleanNames);
      if (out !== s) this.redacted++;
      return out;
    }

    // The last lifted resource field seen and what it became, per field: a batch holds runs
    // of records of one resource, which share these strings, so most records cost one
    // comparison each. A changed field counts once per run, as a shared resource map does.
    private lastService = '';
    private newService = '';
    private lastVersion: string | null = null;
    private newVersion: string | null = null;
    private lastEnv: string | null = null;
    private newEnv: string | null = null;

    /** Service, version and environment: copies of resource attributes, so redacted as those are. */
    lifted(r: SemanticFields): void {
      if (r.service !== this.lastService) {
        this.lastService = r.service;
        this.newService = this.string(r.service, false);
      }
      r.service = this.newService;
      const v = r.serviceVersion;
      if (v !== null) {
        if (v !== this.lastVersion) {
          this.lastVersion = v;
          this.newVersion = this.string(v, false);
        }
        r.serviceVersion = this.newVersion;
      }
      const e = r.environment;
      if (e !== null) {
        if (e !== this.lastEnv) {
          this.lastEnv = e;
          this.newEnv = this.string(e, false);
        }
        r.environment = this.newEnv;
      }
    }

    /** Redacts an attribute map in place; shared maps (resource, scope) once per batch. */
    attributes(attrs: Attributes, shared: boolean): void {
      if (shared) {
        if (this.seen.has(attrs)) return;
        this.seen.add(attrs);
      }
      for (const key in attrs) {
        const v = attrs[key]!;
        if (v === null || typeof v === 'boolean') continue;
        if (secretAttributes && isSecretKey(key)) {
          if (v !== '' && v !== REDACTED) {
            attrs[key] = REDACTED;
            this.redacted++;
            this.byRule.secret_attribute = (this.byRule.secret_attribute ?? 0) + 1;
          }
          continue;
        }
        if (typeof v === 'string') {
          const out = this.string(v, isIdentityKey(key));
          if (out !== v) attrs[key] = out;
        } else if (typeof v === 'object') this.value(v);
      }
    }

    private value(v: AttributeValue[] | { [key: string]: AttributeValue }): void {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const e = v[i]!;
          if (typeof e === 'string') v[i] = this.string(e, false);
          else if (typeof e === 'object' && e !== null) this.value(e);
        }
      } else this.attributes(v, false);
    }

    identity(r: { userId: string | null; accountId: string | null }): void {
      if (r.userId !== null && !isKeyedHash(r.userId)) r.userId = this.string(r.userId, true);
      if (r.accountId !== null && !isKeyedHash(r.accountId)) r.accountId = this.string(r.accountId, true);
    }

    stats(): RedactionStats {
      return { redacted: this.redacted, byRule: this.byRule };
    }
  }

  return {
    text: (s, opts) => redactText(s, null, opts?.emails ?? 'placeholder'),

    attributes(attrs) {
      const b = new Batch();
      b.attributes(attrs, false);
      return b.stats();
    },

    logs(records) {
      const b = new Batch();
      for (const r of records) {
        r.body = b.text(r.body);
        if (r.eventName) r.eventName = b.name(r.eventName);
        b.attributes(r.attributes, false);
        b.attributes(r.resource, true);
        b.attributes(r.scope.attributes, true);
        b.identity(r);
        b.lifted(r);
      }
      return b.stats();
    },

    spans(records) {
      const b = new Batch();
      for (const r of records) {
        r.name = b.name(r.name);
        if (r.statusMessage) r.statusMessage = b.text(r.statusMessage);
        const route = r.httpRoute;
        const routeAttribute = r.attributes['http.route'];
        b.attributes(r.attributes, false);
        if (route !== null) {
          // Lifted from http.route: the attribute's redacted value, without a second look.
          r.httpRoute = route === routeAttribute ? (r.attributes['http.route'] as string) : b.string(route, false);
        }
        for (const e of r.events) {
          e.name = b.name(e.name);
          b.attributes(e.attributes, false);
        }
        for (const l of r.links) b.attributes(l.attributes, false);
        b.attributes(r.resource, true);
        b.attributes(r.scope.attributes, true);
        b.identity(r);
        b.lifted(r);
      }
      return b.stats();
    },

    metrics(points) {
      const b = new Batch();
      for (const p of points) {
        b.attributes(p.attributes, false);
        b.attributes(p.resource, true);
        b.attributes(p.scope.attributes, true);
        b.identity(p);
        b.lifted(p);
      }
      return b.stats();
    },
  };
}
