// Identifiers a support ticket mentions, found in its free text: emails (as keyed hashes
// only), user and account ids, URLs and routes, error names and messages, trace ids,
// versions and timestamps. Each kind's `value` is a join key (see Mention in the model).
// Patterns are general (how people and programs write these things), not tuned to a dataset.
import type { Mention, MentionField, MentionKind, TicketMention } from '../model/index.js';
import { MENTION_KINDS } from '../model/index.js';
import { isKeyedHash, keyedHash } from './identity-hash.js';
import { TupleMap, TupleSet } from './tuple-map.js';

/** Stored mentions record the algorithm that produced them (STYLE rule 4). */
export const TICKET_MENTIONS_ALGORITHM = 'ticket-mentions@1';

export interface ExtractOptions {
  /** The per-install key for email hashes. */
  emailKey: string;
  /** Known service names: a word equal to one (case-insensitive) is a `service` mention. */
  services?: readonly string[];
  /** When the ticket was written: resolves "at 14:05 UTC", "yesterday" and dates without a year. */
  reference?: Date;
}

// ---------------------------------------------------------------------------------------
// Emails

const EMAIL_SRC = String.raw`[A-Za-z0-9._%+-]*[A-Za-z0-9_+-](?:@|%40)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}`;
/** A redacted email as it is stored in ticket text; extraction reads it back as the same mention. */
const PLACEHOLDER_SRC = String.raw`\[email (h:[0-9a-f]{64})\]`;
const EMAIL_OR_PLACEHOLDER = new RegExp(`${PLACEHOLDER_SRC}|(?<![\\w.%+-])(${EMAIL_SRC})(?![\\w-])`, 'g');
/**
 * The project's one email rule, as a RegExp source: an address standing alone (not inside a
 * longer word), `@` or its URL encoding `%40`. Ticket text and the ingest `redact` transform
 * both use it, so what counts as an email is the same everywhere.
 */
export const EMAIL_PATTERN = `(?<![\\w.%+-])${EMAIL_SRC}(?![\\w-])`;
const EMAIL_ONLY = new RegExp(EMAIL_PATTERN, 'g');

/** Replaces every email in clear by `[email h:…]`, its keyed hash: the form ticket text is stored in. */
export function redactEmails(text: string, key: string): string {
  return text.replace(EMAIL_ONLY, (m) => `[email ${keyedHash(key, m.replace(/%40/i, '@'))}]`);
}

// Masked spans keep their length so that offsets stay aligned; \u0001 matches none of the
// patterns below (not a word character, not whitespace, not punctuation they look for).
const MASK = '\u0001';
const mask = (s: string) => MASK.repeat(s.length);
const MASKED_RUN = /\u0001+/g;

/** `text` with the given [start, end) ranges masked, built in one pass (ranges may overlap). */
function masked(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of sorted) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    parts.push(text.slice(at, from), MASK.repeat(end - from));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------
// Routes and URLs

const SEGMENT_ID = [
  /^\d+$/,
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i,
  /^:[A-Za-z_]\w*$/,
  /^\{[^/}]*\}$/,
  /^<[^/>]*>$/,
  /\u0001/,
];

function isIdSegment(seg: string): boolean {
  if (SEGMENT_ID.some((re) => re.test(seg))) return true;
  // Mixed tokens such as ord_8fj2k3 or abc123 are ids; v2, oauth2 and html5 are not.
  const digits = seg.replace(/\D/g, '').length;
  return seg.length >= 6 && digits >= 2 && /[A-Za-z]/.test(seg) && !/^v\d/i.test(seg);
}

/** A path with its id-like segments (numbers, uuids, hex, mixed tokens, placeholders) as `:id`. */
export function routeTemplate(path: string): string {
  const clean = path.split(/[?#]/)[0]!.replace(/\/+$/, '') || '/';
  return clean
    .split('/')
    .map((seg, i) => (i === 0 || seg === '' ? seg : isIdSegment(seg) ? ':id' : seg))
    .join('/');
}

/**
 * The form a route is compared in, on both sides of a join: placeholders (`:name`, `{name}`,
 * `<name>`) as `:id`, lower case, no trailing slash. `spanRouteKeySql` in the store computes
 * the same on `span.http_route`.
 */
export function routeKey(route: string): string {
  return route
    .replace(/(:[A-Za-z_][A-Za-z0-9_]*|\{[^/}]*\}|<[^/>]*>)/g, ':id')
    .replace(/\/+$/, '')
    .toLowerCase();
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`()[\]{}]+/gi;
const ROUTE_RE = /(?<![\w./\\~:@&=?#%\u0001-])\/[A-Za-z0-9_~%{}:.+-]+(?:\/[A-Za-z0-9_~%{}:.+\u0001-]+)*\/?/g;
const FS_ROOTS =
  /^\/(?:usr|var|etc|home|tmp|opt|proc|dev|bin|sbin|lib|lib64|mnt|root|srv|sys|boot|private|Users|System|Library|Applications|Volumes)(?:\/|$)/;
const SOURCE_FILE =
  /\.(?:ts|tsx|js|jsx|mjs|cjs|py|pyc|rb|go|java|kt|kts|class|jar|cs|cpp|cc|c|h|hpp|rs|swift|scala|ex|exs|erl|pl|sh|log|ya?ml|toml|ini|conf|lock|md|txt|so|dll|dylib)$/i;

function routeFrom(raw: string): string | null {
  const path = raw.replace(/[.,:;!?]+$/, '').replace(/\/+$/, '');
  if (path.length < 3 || !/[A-Za-z]/.test(path)) return null;
  if (FS_ROOTS.test(path) || path.includes('node_modules')) return null;
  const segments = path.split('/');
  if (segments.some((s) => /:\d+$/.test(s))) return null; // file.ts:42 is a stack frame
  if (SOURCE_FILE.test(segments[segments.length - 1]!)) return null;
  return path;
}

// ---------------------------------------------------------------------------------------
// Errors

const CLASS_RE =
  /(?<![\w$.])((?:[a-z_$][\w$]*\.)*)([A-Z][A-Za-z0-9]*(?:Error|Exception|Fault|Failure|Panic|Timeout|Rejection))(?![\w$])(?:: *([^\n"\u201d`]{3,300}))?/g;
const ERRNO =
  /(?<![\w])(E(?:CONNRESET|CONNREFUSED|CONNABORTED|TIMEDOUT|NOTFOUND|AI_AGAIN|PIPE|ADDRINUSE|ADDRNOTAVAIL|ACCES|PERM|NOENT|MFILE|NFILE|NOMEM|NOSPC|HOSTUNREACH|HOSTDOWN|NETUNREACH|NETDOWN|NETRESET|PROTO|CANCELED|EXIST|ISDIR|NOTDIR|BADF|AGAIN|BUSY|INVAL|NOTEMPTY|ROFS|SOCKETTIMEDOUT|SOCKETHANGUP)|ERR_[A-Z0-9_]{3,})(?![\w])/g;
/** An upper-case code named as an error: `error code CARD_DECLINED`, `code: INSUFFICIENT_FUNDS`. */
const CODE_RE =
  /\b(?:[Ee]rror|[Ee]rr|[Cc]ode|[Rr]eason)(?:\s+code)?\s*[:=#]?\s*["'`]?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g;
const HTTP_STATUS_RE = new RegExp(
  [
    String.raw`\b(?:HTTP(?:/[\d.]+)?|status(?:\s+code)?|error(?:\s+code)?|response(?:\s+code)?|code)\s*[:#]?\s*([45]\d\d)\b`,
    String.raw`\b([45]\d\d)s?\s+(?:errors?|responses?|status)\b`,
    // "POST /cart returns 500": a verb of answering, then a status that is not a quantity.
    String.raw`\b(?:returns?|returned|returning|answers?|answered|responds? with|responded with|fails? with|failed with)\s+(?:an?\s+)?(?:HTTP\s*)?([45]\d\d)\b(?!\s*(?:items?|times?|%|ms|milliseconds|seconds|records|rows|results|products|orders|users|entries)\b)`,
    String.raw`\b([45]\d\d)\s+(?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out|Not Found|Forbidden|Unauthori[sz]ed|Bad Request|Too Many Requests|Conflict|Request Time-?out|Unprocessable (?:Entity|Content)|Payload Too Large|Method Not Allowed)\b`,
  ].join('|'),
  'gi',
);
const ERROR_LINE_RE =
  /^[ \t]*(?:[>*•-][ \t]*)?(?:\[[^\]\n]{0,40}\][ \t]*)?(?:uncaught |unhandled )?(?:error|fatal|panic|exception|unhandled rejection)[ \t]*:[ \t]*([^\n]{6,300})$/gim;
const QUOTED_RES = [
  /"([^"\n\u0001]{6,300}?)"/g,
  /\u201c([^\u201d\n\u0001]{6,300}?)\u201d/g,
  /(?<=^|[\s(:[])'([^'\n\u0001]{6,300}?)'(?=$|[\s).,;:!?\]])/gm,
  /\u2018([^\u2019\n\u0001]{6,300}?)\u2019/g,
  /`([^`\n\u0001]{6,300}?)`/g,
];
const ERROR_WORDS =
  /\b(?:errors?|fail(?:s|ed|ure|ing)?|cannot|can't|can ?not|could ?n[o']t|unable|invalid|denied|refused|not found|time[ds]? ?out|undefined|null|nil|NaN|exception|unexpected|went wrong|forbidden|unauthori[sz]ed|unavailable|declined|rejected|expired|oops|crash(?:ed)?|missing|not allowed|no longer|try again|problem)\b/i;
const SHOWN_CUE =
  /\b(?:says?|said|saying|message|error|shows?|showed|showing|displays?|displayed|got|get|getting|gets|see|seeing|saw|reads?|popup|pop-up|toast|banner|alert|dialog|prompt|returned|returns|response|throws?|threw|thrown)\b[^.!?\n]{0,40}$/i;
const MESSAGE_PREFIX =
  /^(?:[\w.$]*(?:Error|Exception|Fault|Failure|Panic|Timeout|Rejection)|error|fatal|panic)\s*:\s*/i;

function normalizeMessage(raw: string): string {
  return raw
    .replace(MASKED_RUN, '<email>')
    .replace(MESSAGE_PREFIX, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'`\u201c\u2018]+|["'`\u201d\u2019]+$/g, '')
    .replace(/[\s.,;:!]+$/, '')
    .trim();
}

/** A message generalized for grouping: lower case, ids as `<id>`, numbers as `<n>`. */
export function errorTemplate(message: string): string {
  return message
    .toLowerCase()
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<id>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/g, '<id>')
    .replace(/\d+(?:\.\d+)?/g, '<n>');
}

// ---------------------------------------------------------------------------------------
// Users and accounts

const ID_TOKEN = '[A-Za-z0-9](?:[A-Za-z0-9_.:-]*[A-Za-z0-9])?';
/** Words after a number that make it a quantity, not an id ("customer 3 times"). */
const NOT_AN_ID_AFTER = String.raw`(?!\s*(?:%|percent|times?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|weeks?|months?|years?|items?|things?|orders?|products?|people|users|customers|members|accounts)\b)`;
const STOPWORDS = new Set([
  'is',
  'was',
  'the',
  'a',
  'an',
  'and',
  'or',
  'not',
  'none',
  'null',
  'undefined',
  'unknown',
  'here',
  'there',
  'this',
  'that',
  'my',
  'our',
  'your',
  'their',
  'its',
  'his',
  'her',
  'missing',
  'empty',
  'same',
  'above',
  'below',
  'attached',
]);

function idCueRe(cues: string): RegExp {
  return new RegExp(
    String.raw`\b(?:${cues})((?:[ _.-]?id)?)["']?(?:\s*(?:no\.?|number|#))?(\s*[:=#]\s*|\s+(?:is\s+|was\s+)?)["'(\u2018\u201c]?(${ID_TOKEN})(?![\w@])${NOT_AN_ID_AFTER}`,
    'gi',
  );
}

const USER_CUE_RE = idCueRe('(?:end[ _.-]?)?user|customer|member|uid');
const ACCOUNT_CUE_RE = idCueRe('account|acct|org|organi[sz]ation|tenant|workspace|company');
const USER_PREFIXED_RE =
  /(?<![\w-])(?:u|usr|user|uid|cust|customer|member|mbr)[-_][A-Za-z0-9]*\d[A-Za-z0-9]*(?![\w-])/gi;
const ACCOUNT_PREFIXED_RE =
  /(?<![\w-])(?:acct|acc|account|org|tenant|workspace)[-_][A-Za-z0-9]*\d[A-Za-z0-9-]*(?<!-)(?![\w-])/gi;

function acceptId(token: string, explicit: boolean): boolean {
  if (STOPWORDS.has(token.toLowerCase())) return false;
  if (/^\d+$/.test(token)) return token.length >= 2 || explicit;
  if (/\d/.test(token) || /[-_]/.test(token)) return true;
  return explicit && token.length >= 3;
}

// ---------------------------------------------------------------------------------------
// Versions

const V_VERSION_RE = /(?<![\w.])[vV](\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)(?![\w])(?!\.\d)/g;
const KEYWORD_VERSION_RE =
  /\b(version|ver\.?|release|build)\s*(?:no\.?|number|#)?\s*[:#]?\s*v?(\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)(?![\w])(?!\.\d)/gi;
const SEMVER_RE = /(?<![\w.])(\d+\.\d+\.\d+(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?(?:\+[0-9A-Za-z.]+)?)(?![\w])(?!\.\d)/g;

// ---------------------------------------------------------------------------------------
// Timestamps

const TZ_OFFSETS: Record<string, number> = {
  Z: 0,
  UTC: 0,
  GMT: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  IST: 330,
  JST: 540,
  AEST: 600,
  AEDT: 660,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};
const TZ_SRC = String.raw`Z|UTC(?:[+-]\d{1,2}(?::?\d{2})?)?|GMT(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|WES?T|BST|CES?T|EES?T|IST|JST|AE[SD]T|[ECMP][SD]T`;
const ISO_RE = new RegExp(
  String.raw`(?<![\d\w])(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)?(?:\s?(${TZ_SRC}))?(?![\w])`,
  'g',
);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_SRC = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const MONTH_DATE_RE = new RegExp(
  String.raw`\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+(${MONTH_SRC})(?:,?\s+(\d{4}))?|(${MONTH_SRC})\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?)(?![\w])`,
  'g',
);
const RELATIVE_DAY_RE = /\b(yesterday|today|this morning|this afternoon|this evening|tonight|last night)\b/gi;
const TIME_RE = new RegExp(
  String.raw`(?<![\w:.])(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?(?![\d:])\s?(am|pm|a\.m\.|p\.m\.)?(?:\s?(${TZ_SRC}))?(?![\w])`,
  'gi',
);
const TIME_CUE =
  /(?:\b(?:at|around|about|approx\.?|approximately|since|from|until|till|by|after|before|between|and|to)\s+|[~@]\s*|\b(?:at|around)\s+~\s*)$/i;

function tzOffsetMinutes(tz: string | undefined): number | null {
  if (!tz) return null;
  const t = tz.toUpperCase();
  if (t in TZ_OFFSETS) return TZ_OFFSETS[t]!;
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(t);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

interface Found {
  kind: MentionKind;
  value: string;
  template?: string;
  at?: string;
  index: number;
}

/** A time of day on a calendar day; offset null means the text named no zone (read as UTC). */
function timestamp(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number | null,
  offset: number | null,
): { value: string; at: string } | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || (s !== null && s > 59)) return null;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null; // Feb 30
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s ?? 0) - (offset ?? 0) * 60_000);
  const local = offset === null ? new Date(Date.UTC(y, mo - 1, d, h, mi, s ?? 0)) : at;
  const hm = `${isoDate(local)}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}${s !== null ? `:${pad(local.getUTCSeconds())}` : ''}`;
  return { value: offset === null ? hm : `${hm}Z`, at: at.toISOString() };
}

function dayMention(y: number, mo: number, d: number, index: number): Found | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const at = new Date(Date.UTC(y, mo - 1, d));
  if (at.getUTCDate() !== d) return null;
  return { kind: 'timestamp', value: isoDate(at), at: at.toISOString(), index };
}

function extractTimestamps(text: string, reference: Date | undefined): { found: Found[]; masked: string } {
  const found: Found[] = [];
  const hidden: Array<[number, number]> = [];
  const hide = (start: number, len: number) => hidden.push([start, start + len]);

  for (const m of text.matchAll(ISO_RE)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (m[4] !== undefined) {
      const t = timestamp(
        y,
        mo,
        d,
        Number(m[4]),
        Number(m[5]),
        m[6] === undefined ? null : Number(m[6]),
        tzOffsetMinutes(m[7]),
      );
      if (t) found.push({ kind: 'timestamp', ...t, index: m.index });
    } else {
      const day = dayMention(y, mo, d, m.index);
      if (day) found.push(day);
    }
    hide(m.index, m[0].length);
  }

  // Calendar days written out, and relative days, anchor a time written next to them.
  const noIso = masked(text, hidden);
  const days: Array<{ start: number; end: number; y: number; mo: number; d: number; relative: boolean }> = [];
  for (const m of noIso.matchAll(MONTH_DATE_RE)) {
    const monthWord = (m[2] ?? m[4])!;
    const mo = MONTHS.indexOf(monthWord.slice(0, 3).toLowerCase()) + 1;
    const d = Number(m[1] ?? m[5]);
    let y = (m[3] ?? m[6]) ? Number(m[3] ?? m[6]) : null;
    if (y === null) {
      if (!reference) continue;
      y = reference.getUTCFullYear();
      // "Dec 30" in a ticket written on Jan 2 is last year.
      if (Date.UTC(y, mo - 1, d) > reference.getTime() + 86_400_000) y -= 1;
    }
    days.push({ start: m.index, end: m.index + m[0].length, y, mo, d, relative: false });
  }
  if (reference) {
    for (const m of noIso.matchAll(RELATIVE_DAY_RE)) {
      const back = /yesterday|last night/i.test(m[1]!) ? 1 : 0;
      const day = new Date(reference.getTime() - back * 86_400_000);
      days.push({
        start: m.index,
        end: m.index + m[0].length,
        y: day.getUTCFullYear(),
        mo: day.getUTCMonth() + 1,
        d: day.getUTCDate(),
        relative: back === 0,
      });
    }
  }
  days.sort((a, b) => a.start - b.start);

  const usedDays = new Set<number>();
  for (const m of noIso.matchAll(TIME_RE)) {
    const [hStr, miStr, sStr, ampm, tz] = [m[1]!, m[2], m[3], m[4], m[5]];
    if (miStr === undefined && !ampm) continue; // a bare number is not a time
    const before = noIso.slice(Math.max(0, m.index - 16), m.index);
    // The day this time belongs to: written just before it ("Nov 20 at 14:05") or just after ("3pm yesterday").
    const end = m.index + m[0].length;
    let dayIdx = days.findIndex(
      (d) => d.end <= m.index && m.index - d.end <= 6 && /^[\s,]*(?:at\s*)?$/i.test(noIso.slice(d.end, m.index)),
    );
    if (dayIdx < 0)
      dayIdx = days.findIndex(
        (d) => d.start >= end && d.start - end <= 5 && /^[\s,]*(?:on\s*)?$/i.test(noIso.slice(end, d.start)),
      );
    if (!tz && !ampm && !TIME_CUE.test(before) && dayIdx < 0) continue;
    let h = Number(hStr);
    const mi = Number(miStr ?? 0);
    if (ampm) {
      if (h < 1 || h > 12) continue;
      const pm = ampm.toLowerCase().startsWith('p');
      h = (h % 12) + (pm ? 12 : 0);
    }
    const offset = tzOffsetMinutes(tz);
    if (tz && offset === null) continue;
    const s = sStr === undefined ? null : Number(sStr);
    let t: { value: string; at: string } | null = null;
    if (dayIdx >= 0) {
      const day = days[dayIdx]!;
      usedDays.add(dayIdx);
      t = timestamp(day.y, day.mo, day.d, h, mi, s, offset);
    } else if (reference) {
      // The latest such time at or before the ticket was written (plus a little clock skew).
      const ref = new Date(reference.getTime() + 10 * 60_000);
      const shifted = new Date(ref.getTime() + (offset ?? 0) * 60_000);
      let cand = timestamp(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), h, mi, s, offset);
      if (cand && Date.parse(cand.at) > ref.getTime()) {
        const prev = new Date(shifted.getTime() - 86_400_000);
        cand = timestamp(prev.getUTCFullYear(), prev.getUTCMonth() + 1, prev.getUTCDate(), h, mi, s, offset);
      }
      t = cand;
    } else if (h < 24 && mi < 60) {
      const hm = `${pad(h)}:${pad(mi)}${s !== null ? `:${pad(s)}` : ''}`;
      t = {
        value:
          offset === 0
            ? `${hm}Z`
            : offset === null
              ? hm
              : `${hm}${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`,
        at: '',
      };
    }
    if (!t) continue;
    found.push(
      t.at
        ? { kind: 'timestamp', value: t.value, at: t.at, index: m.index }
        : { kind: 'timestamp', value: t.value, index: m.index },
    );
    hide(m.index, m[0].length);
  }
  days.forEach((d, i) => {
    if (usedDays.has(i) || d.relative) return;
    const day = dayMention(d.y, d.mo, d.d, d.start);
    if (day) found.push(day);
  });
  for (const d of days) hide(d.start, d.end - d.start);
  return { found, masked: masked(text, hidden) };
}

// ---------------------------------------------------------------------------------------

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function serviceMatcher(services: readonly string[]): { re: RegExp; canonical: Map<string, string> } | null {
  const canonical = new Map<string, string>();
  for (const s of services) if (s.length >= 3) canonical.set(s.toLowerCase(), s);
  if (canonical.size === 0) return null;
  const names = [...canonical.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  // A word in prose, not part of a file path, a dotted name (com.shop.Cart) or a hyphenated word.
  return { re: new RegExp(`(?<![\\w./\\\\-])(${names.join('|')})(?![\\w/\\\\-]|\\.\\w)`, 'gi'), canonical };
}

/**
 * Every identifier mentioned in `text`, once per (kind, value), ordered by kind and then by
 * first appearance. Emails come back only as keyed hashes. Deterministic for a given input.
 */
export function extractMentions(text: string, opts: ExtractOptions): Mention[] {
  const found: Found[] = [];
  const add = (f: Found) => found.push(f);

  // 1. Emails first, and masked, so that no later pattern ever sees one in clear.
  const noEmails = text.replace(
    EMAIL_OR_PLACEHOLDER,
    (m, placeholder: string | undefined, clear: string | undefined, offset: number) => {
      const value = placeholder ?? keyedHash(opts.emailKey, clear!.replace(/%40/i, '@'));
      if (isKeyedHash(value)) add({ kind: 'email', value, index: offset });
      return mask(m);
    },
  );

  // 2. URLs (and the route each one carries), then masked for the prose patterns.
  const urlRanges: Array<[number, number]> = [];
  for (const m of noEmails.matchAll(URL_RE)) {
    const raw = m[0].replace(/[.,;:!?]+$/, '');
    let u: URL;
    try {
      u = new URL(raw.replace(MASKED_RUN, ':email'));
    } catch {
      continue;
    }
    const path = u.pathname.replace(/\/+$/, '');
    add({ kind: 'url', value: `${u.protocol}//${u.host}${path}`, index: m.index });
    const hashPath = u.hash.startsWith('#/') ? u.hash.slice(1).split('?')[0]! : '';
    for (const p of [path, hashPath]) {
      const route = p.length >= 2 ? routeFrom(p) : null;
      if (route) add({ kind: 'route', value: route, template: routeTemplate(route), index: m.index });
    }
    urlRanges.push([m.index, m.index + m[0].length]);
  }
  const prose = masked(noEmails, urlRanges);

  // 3. Trace ids (also inside URLs, so on the text with URLs still in).
  for (const m of noEmails.matchAll(/(?<![0-9a-fA-F])([0-9a-fA-F]{32})(?![0-9a-fA-F])/g)) {
    const v = m[1]!.toLowerCase();
    if (!/^0+$/.test(v)) add({ kind: 'trace', value: v, index: m.index });
  }

  // 4. Bare routes; they are masked afterwards so that a path is not also read as words.
  const routeRanges: Array<[number, number]> = [];
  for (const m of prose.matchAll(ROUTE_RE)) {
    const route = routeFrom(m[0].replace(MASKED_RUN, ':email'));
    if (!route) continue;
    add({ kind: 'route', value: route, template: routeTemplate(route), index: m.index });
    routeRanges.push([m.index, m.index + m[0].length]);
  }
  const words = masked(prose, routeRanges);

  // 5. Errors.
  for (const m of prose.matchAll(CLASS_RE)) {
    add({ kind: 'error', value: m[2]!, index: m.index + m[1]!.length });
    if (m[3]) {
      const msg = normalizeMessage(m[3]);
      if (msg.length >= 3) add({ kind: 'error', value: msg, template: errorTemplate(msg), index: m.index });
    }
  }
  for (const m of prose.matchAll(ERRNO)) add({ kind: 'error', value: m[1]!, index: m.index });
  for (const m of prose.matchAll(CODE_RE)) add({ kind: 'error', value: m[1]!, index: m.index });
  for (const m of prose.matchAll(HTTP_STATUS_RE))
    add({ kind: 'error', value: `HTTP ${m.slice(1).find(Boolean)}`, index: m.index });
  for (const m of prose.matchAll(ERROR_LINE_RE)) {
    const msg = normalizeMessage(m[1]!);
    if (msg.length >= 6) add({ kind: 'error', value: msg, template: errorTemplate(msg), index: m.index });
  }
  for (const re of QUOTED_RES) {
    for (const m of prose.matchAll(re)) {
      const inner = m[1]!;
      const msg = normalizeMessage(inner);
      if (msg.length < 6 || !/[A-Za-z]{2}/.test(msg)) continue;
      const twoWords = /\S\s+\S/.test(msg);
      const cued = SHOWN_CUE.test(prose.slice(Math.max(0, m.index - 60), m.index));
      if (ERROR_WORDS.test(msg) || (cued && twoWords))
        add({ kind: 'error', value: msg, template: errorTemplate(msg), index: m.index });
    }
  }

  // 6. Timestamps (before versions and ids, which must not read a date's digits).
  const ts = extractTimestamps(words, opts.reference);
  found.push(...ts.found);
  const rest = ts.masked;

  // 7. Versions.
  for (const m of rest.matchAll(V_VERSION_RE)) add({ kind: 'version', value: m[1]!, index: m.index });
  for (const m of rest.matchAll(KEYWORD_VERSION_RE)) {
    const isBuild = m[1]!.toLowerCase() === 'build';
    add({ kind: 'version', value: isBuild && !m[2]!.includes('.') ? `build ${m[2]}` : m[2]!, index: m.index });
  }
  for (const m of rest.matchAll(SEMVER_RE)) {
    if (/^\d{1,2}\.\d{1,2}\.\d{4}$/.test(m[1]!)) continue; // 22.11.2026 is a date
    add({ kind: 'version', value: m[1]!, index: m.index });
  }

  // 8. Users and accounts.
  for (const id of idMentionsAt(rest, USER_CUE_RE)) add({ kind: 'user', value: id.value, index: id.index });
  for (const m of rest.matchAll(USER_PREFIXED_RE)) add({ kind: 'user', value: m[0], index: m.index });
  for (const id of idMentionsAt(rest, ACCOUNT_CUE_RE)) add({ kind: 'account', value: id.value, index: id.index });
  for (const m of rest.matchAll(ACCOUNT_PREFIXED_RE)) add({ kind: 'account', value: m[0], index: m.index });

  // 9. Known service names written as words.
  const services = serviceMatcher(opts.services ?? []);
  if (services) {
    for (const m of rest.matchAll(services.re)) {
      add({ kind: 'service', value: services.canonical.get(m[1]!.toLowerCase())!, index: m.index });
    }
  }

  return dedupe(found);
}

function idMentionsAt(text: string, re: RegExp): Array<{ value: string; index: number }> {
  const out: Array<{ value: string; index: number }> = [];
  for (const m of text.matchAll(re)) {
    const idWord = m[1] !== '';
    const sep = m[2]!;
    const explicit = /^uid/i.test(m[0]) || (idWord && /[:=#]|\bis\b|\bwas\b/.test(sep));
    if (acceptId(m[3]!, explicit)) out.push({ value: m[3]!, index: m.index });
  }
  return out;
}

function dedupe(found: Found[]): Mention[] {
  const order = new Map<MentionKind, number>(MENTION_KINDS.map((k, i) => [k, i]));
  const sorted = [...found].sort((a, b) => order.get(a.kind)! - order.get(b.kind)! || a.index - b.index);
  const seen = new TupleSet<[MentionKind, string]>();
  const out: Mention[] = [];
  for (const f of sorted) {
    const k: [MentionKind, string] = [f.kind, f.value];
    if (seen.has(k)) continue;
    seen.add(k);
    const m: Mention = { kind: f.kind, value: f.value };
    if (f.template !== undefined) m.template = f.template;
    if (f.at !== undefined) m.at = f.at;
    out.push(m);
  }
  return out;
}

/** The parts of a ticket that mentions are read from. */
export interface TicketText {
  title: string;
  body: string;
  comments: string[];
  /** Keyed hash of the reporter's email, when known. */
  reporterHash?: string | null;
  /** Ids the source gave as fields rather than in text. */
  userIds?: string[];
  accountIds?: string[];
}

/** All of a ticket's mentions, merged across its fields: one per (kind, value) with where it was found and how often. */
export function ticketMentions(t: TicketText, opts: ExtractOptions): TicketMention[] {
  const merged = new TupleMap<[MentionKind, string], TicketMention>();
  const put = (m: Mention, field: MentionField) => {
    const k: [MentionKind, string] = [m.kind, m.value];
    const prev = merged.get(k);
    if (prev) {
      prev.count++;
      if (!prev.fields.includes(field)) prev.fields.push(field);
    } else merged.set(k, { ...m, fields: [field], count: 1 });
  };
  if (t.reporterHash) put({ kind: 'email', value: t.reporterHash }, 'reporter');
  for (const id of t.userIds ?? []) if (id.trim()) put({ kind: 'user', value: id.trim() }, 'field');
  for (const id of t.accountIds ?? []) if (id.trim()) put({ kind: 'account', value: id.trim() }, 'field');
  for (const m of extractMentions(t.title, opts)) put(m, 'title');
  for (const m of extractMentions(t.body, opts)) put(m, 'body');
  for (const c of t.comments) for (const m of extractMentions(c, opts)) put(m, 'comment');
  const order = new Map<MentionKind, number>(MENTION_KINDS.map((k, i) => [k, i]));
  return [...merged.values()].sort((a, b) => order.get(a.kind)! - order.get(b.kind)!);
}
