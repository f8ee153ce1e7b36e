// The optional LLM narrative: the prompt that asks for it and the check it must pass before
// it is shown. Pure: an InvestigationResult in, messages or a verdict out. The deterministic
// report stands whenever the check fails.
//
// The check (checkNarrative) rejects a narrative when:
//  - it is empty, has no sentence, or is longer than NARRATIVE_MAX_CHARS (4000) characters;
//  - it cites an id that is not a finding. Citations are square brackets holding finding ids:
//    [F2], [F1, F3], [F1; F3], [F1 and F3]. A bracket that names an F-id among other words is
//    unreadable and rejected; a bare F9 outside brackets must also be a finding;
//  - a sentence cites nothing. Sentences end at . ! ? followed by a space and a capital, a
//    digit, a quote or the end of the text, and at line breaks; a citation just after the full
//    stop ("… broke. [F1]") belongs to the sentence before when that sentence has none;
//  - it states a number, time, date or identifier the result does not support.
//
// What "supported" means. The facts are every string and number in the result (subject,
// window, summary, findings' titles, confidences, hints, evidence summaries, refs, rows and data, walked
// recursively, the priority's score and inputs, and the gaps), except the algorithm name and
// the priority's formula, whose constants are not claims; evidence queries only count for
// identifiers. Numbers are read out of strings with the same tokenizer as the narrative.
//  - A decimal written with d decimals is supported by a fact within half a unit of its last
//    place: 0.93 supports "0.93" and "0.9"; 0.9 does not support "0.93".
//  - An integer above 10 may be a fact rounded (245.7 supports "246"); 0–10 must appear
//    exactly, so a confidence of 0.93 does not support "1 user". Trailing zeros count:
//    "1200" needs 1200; write "1.2k" for 1234 (k, M and B scale the written precision).
//  - "93%" (or "93 percent") is supported by 93 (as an integer above) or by 0.93 rounded to the
//    written percent; a fact written "42%" is the fraction 0.42. Numbers in e-notation (2.1e-6) compare at their mantissa's
//    precision. Signs are ignored: a fall of 40% and -0.4 are the same claim.
//  - Thousands separators are dropped ("1,234"). Units glued to a number (30ms, 8min, 3x)
//    leave the number; ordinals up to 10th are words, not claims.
//  - Times and dates must match an instant in the result, in UTC: "17:29" and "5:29 PM"
//    match any timestamp in that minute, "17:29:18" that second; "2026-11-22", "Nov 22" and
//    "22 November 2026" a day of one. A full ISO timestamp compares at the precision written.
//  - A token mixing letters and digits (a commit SHA or its prefix, a version such as 1.4.0
//    or v1.4.0, p99, rca@1) is an identifier: it must appear, case-insensitively, in the
//    result's text.
//  - Numbers spelled as words ("three") are not checked.
import type { InvestigationResult } from '../../model/index.js';

export const NARRATIVE_MAX_CHARS = 4000;
/** The user message's bound; findings beyond it are dropped last-first and counted. */
export const NARRATIVE_PROMPT_MAX_CHARS = 12_000;

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export type NarrativeCheck = { ok: true; citations: string[] } | { ok: false; problems: string[] };

const SYSTEM_PROMPT = [
  'You write the narrative of an incident investigation for the on-call engineer who has to act on it now.',
  'The investigation is given as JSON: findings with ids (F1, F2, …), each with a kind, a title, a confidence from 0 to 1, a hint saying why, and evidence; a priority; and gaps, the steps that could not run.',
  'Rules:',
  '- Write 3 to 6 sentences of plain prose. No headings, no lists, no Markdown.',
  '- Every sentence cites one or more finding ids in square brackets, like [F2] or [F1, F3], before its full stop. Cite only ids that appear in the findings.',
  '- Use only numbers, times, dates, versions and identifiers that appear in the findings, written as they appear there; a confidence of 0.87 may be written 87%. Do not compute new numbers: no ratios, sums, differences or estimates. Write times as HH:MM in UTC.',
  '- Say what is not known: mention the gaps, in a sentence that cites the finding they limit.',
  '- Say how sure each claim is using the confidence; do not go beyond what the findings state.',
  'A narrative that breaks a rule is discarded, and the engineer sees the deterministic report instead.',
].join('\n');

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

interface PromptLimits {
  evidence: number;
  summaryChars: number;
  hintChars: number;
  findings: number;
}

function promptPayload(r: InvestigationResult, lim: PromptLimits): string {
  const findings = r.findings.slice(0, lim.findings).map((f) => ({
    id: f.id,
    kind: f.kind,
    title: clip(f.title, 200),
    confidence: Number(f.confidence.toFixed(2)),
    hint: clip(f.hint, lim.hintChars),
    evidence: f.evidence.slice(0, lim.evidence).map((e) => `${e.kind}: ${clip(e.summary, lim.summaryChars)}`),
  }));
  const omitted = r.findings.length - findings.length;
  const subject = JSON.parse(JSON.stringify(r.subject), (_k, v: unknown) =>
    typeof v === 'string' ? clip(v, 200) : v,
  ) as unknown;
  const payload = {
    subject,
    window: r.window,
    summary: clip(r.summary, 1000),
    priority: r.priority
      ? { score: r.priority.score, inputs: Object.fromEntries(Object.entries(r.priority.inputs).slice(0, 20)) }
      : null,
    findings,
    ...(omitted > 0 ? { omittedFindings: omitted } : {}),
    gaps: r.gaps.slice(0, 12).map((g) => clip(g, 300)),
  };
  const ids = findings.map((f) => f.id).join(', ');
  return `Write the narrative for this investigation. The finding ids you may cite: ${ids || '(none)'}.\n\n${JSON.stringify(payload)}`;
}

/** The chat messages that ask for a narrative: the rules, then the findings, bounded to NARRATIVE_PROMPT_MAX_CHARS. */
export function narrativeMessages(result: InvestigationResult): ChatMessage[] {
  const levels: PromptLimits[] = [
    { evidence: 5, summaryChars: 300, hintChars: 600, findings: 40 },
    { evidence: 3, summaryChars: 200, hintChars: 400, findings: 40 },
    { evidence: 1, summaryChars: 160, hintChars: 300, findings: 40 },
  ];
  let content = '';
  for (const lim of levels) {
    content = promptPayload(result, lim);
    if (content.length <= NARRATIVE_PROMPT_MAX_CHARS) break;
  }
  for (let n = Math.min(result.findings.length, 40) - 1; content.length > NARRATIVE_PROMPT_MAX_CHARS && n >= 0; n--) {
    content = promptPayload(result, { ...levels[2]!, findings: n });
  }
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content },
  ];
}

// ---- reading numbers, times and identifiers out of text ----

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![A-Za-z])\\.?';
const ISO_RE = /\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?/g;
const CLOCK_RE = /\b(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\b\.?)?/gi;
const MONTH_DAY_RE = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, 'g');
const DAY_MONTH_RE = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH}(?:,?\\s+(\\d{4})\\b)?`, 'g');
const EXP_RE = /\b(\d+(?:\.(\d+))?)[eE]([-+]?\d+)\b/g;
// Words, numbers and identifiers; dots, hyphens and @ join parts ("1.4.0", "cart-v2", "rca@1"),
// a comma joins only a thousands group ("1,234").
const TOKEN_RE = /[A-Za-z0-9_]+(?:(?:[.\-@]|,(?=\d{3}(?!\d)))[A-Za-z0-9_]+)*/g;
const UNIT = /^(ms|us|µs|ns|s|sec|secs|m|min|mins|h|hr|hrs|d|w|x|kb|mb|gb|tb|kib|mib|gib|rps|rpm|qps|k|K|M|B|bn)$/;
const SCALE: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, bn: 1e9 };

/**
 * A number as written, with how far a fact may be from it and still round to it; a percentage
 * is also compared with facts that are fractions (times 100), at `fractionTol`.
 */
interface Written {
  text: string;
  value: number;
  tol: number;
  fractionTol?: number;
}

type Claim =
  | { type: 'number'; n: Written }
  | { type: 'instant'; text: string; ms: number; seconds: boolean }
  | { type: 'date'; text: string; key: string }
  | { type: 'monthDay'; text: string; key: string }
  | { type: 'clock'; text: string; key: string }
  | { type: 'identifier'; text: string };

const pad = (n: number) => String(n).padStart(2, '0');

function monthIndex(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function decimalsOf(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Replaces what a regex matched with spaces, so later passes do not read it again. */
function blank(text: string, re: RegExp, each: (m: RegExpMatchArray) => void): string {
  let out = text;
  for (const m of text.matchAll(re)) {
    each(m);
    out = out.slice(0, m.index) + ' '.repeat(m[0].length) + out.slice(m.index! + m[0].length);
  }
  return out;
}

/** Every claim in a piece of text: numbers, instants, dates, clock times and identifiers. */
function claimsIn(input: string): Claim[] {
  const out: Claim[] = [];
  let text = blank(input, ISO_RE, (m) => {
    const [all, y, mo, d, hh, mm, ss, zone] = m;
    if (hh === undefined) {
      out.push({ type: 'date', text: all!, key: `${y}-${mo}-${d}` });
      return;
    }
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm), Number(ss ?? 0));
    const off = zone && /^[+-]/.test(zone) ? /^([+-])(\d{2}):?(\d{2})$/.exec(zone) : null;
    if (off) ms -= (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000;
    out.push({ type: 'instant', text: all!.trim(), ms, seconds: ss !== undefined });
  });
  text = blank(text, MONTH_DAY_RE, (m) => {
    const key = `${pad(monthIndex(m[1]!))}-${pad(Number(m[2]))}`;
    out.push(m[3] ? { type: 'date', text: m[0], key: `${m[3]}-${key}` } : { type: 'monthDay', text: m[0], key });
  });
  text = blank(text, DAY_MONTH_RE, (m) => {
    const key = `${pad(monthIndex(m[2]!))}-${pad(Number(m[1]))}`;
    out.push(m[3] ? { type: 'date', text: m[0], key: `${m[3]}-${key}` } : { type: 'monthDay', text: m[0], key });
  });
  text = blank(text, CLOCK_RE, (m) => {
    let h = Number(m[1]);
    const ampm = m[4]?.toLowerCase();
    if (ampm === 'p' && h < 12) h += 12;
    if (ampm === 'a' && h === 12) h = 0;
    out.push({ type: 'clock', text: m[0].trim(), key: `${pad(h)}:${m[2]}${m[3] !== undefined ? `:${m[3]}` : ''}` });
  });
  text = blank(text, EXP_RE, (m) => {
    const exp = Number(m[3]);
    const d = m[2]?.length ?? 0;
    out.push({ type: 'number', n: { text: m[0], value: Number(m[0]), tol: 0.5 * 10 ** (exp - d) } });
  });
  for (const m of text.matchAll(TOKEN_RE)) {
    const after = text.slice(m.index + m[0].length);
    const percent = /^\s?%/.test(after) || /^\s+percent\b/i.test(after);
    for (const piece of m[0].split('-')) {
      const c = readPiece(piece, percent);
      if (c) out.push(c);
    }
  }
  return out;
}

function readPiece(piece: string, percent: boolean): Claim | null {
  if (!/\d/.test(piece)) return null;
  const num = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([A-Za-zµ]+)?$/.exec(piece);
  if (!num) return { type: 'identifier', text: piece };
  const [, int, frac = '', suffix] = num;
  if (suffix && /^(st|nd|rd|th)$/i.test(suffix) && !frac) {
    const n = Number(int!.replace(/,/g, ''));
    return n <= 10 ? null : { type: 'number', n: { text: piece, value: n, tol: 0.5 } };
  }
  if (suffix && !UNIT.test(suffix)) return { type: 'identifier', text: piece };
  const written = `${int!.replace(/,/g, '')}${frac}`;
  const scale = (suffix && SCALE[suffix]) || 1;
  const value = Number(written) * scale;
  const d = decimalsOf(written);
  // Small whole numbers must appear exactly; anything else may be a fact rounded to the written place.
  const rounding = 0.5 * 10 ** -d * scale;
  const tol = scale === 1 && d === 0 && value <= 10 ? 0 : rounding;
  return {
    type: 'number',
    n: percent ? { text: `${piece}%`, value, tol, fractionTol: rounding } : { text: piece, value, tol },
  };
}

// ---- the facts a result supports ----

interface Facts {
  numbers: number[];
  dates: Set<string>;
  monthDays: Set<string>;
  clocks: Set<string>;
  minutes: Set<number>;
  seconds: Set<number>;
  corpus: string;
}

/** A collector of facts: strings (numbers read out of them unless told not to) and values walked. */
function factCollector() {
  const f: Facts = {
    numbers: [],
    dates: new Set(),
    monthDays: new Set(),
    clocks: new Set(),
    minutes: new Set(),
    seconds: new Set(),
    corpus: '',
  };
  const texts: string[] = [];
  const addInstant = (ms: number) => {
    if (!Number.isFinite(ms)) return;
    const d = new Date(ms);
    const iso = d.toISOString();
    f.dates.add(iso.slice(0, 10));
    f.monthDays.add(iso.slice(5, 10));
    f.clocks.add(iso.slice(11, 16));
    f.clocks.add(iso.slice(11, 19));
    f.minutes.add(Math.floor(ms / 60_000));
    f.seconds.add(Math.floor(ms / 1000));
  };
  const readText = (s: string, numbers: boolean) => {
    texts.push(s);
    for (const c of claimsIn(s)) {
      if (c.type === 'number' && numbers)
        f.numbers.push(Math.abs(c.n.fractionTol !== undefined ? c.n.value / 100 : c.n.value));
      else if (c.type === 'instant') addInstant(c.ms);
      else if (c.type === 'date') {
        f.dates.add(c.key);
        f.monthDays.add(c.key.slice(5));
      } else if (c.type === 'monthDay') f.monthDays.add(c.key);
      else if (c.type === 'clock') f.clocks.add(c.key);
    }
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20 || v === null || v === undefined) return;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) f.numbers.push(Math.abs(v));
    } else if (typeof v === 'string') readText(v, true);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  const finish = (): Facts => {
    f.numbers.sort((a, b) => a - b);
    f.corpus = texts.join('\n').toLowerCase();
    return f;
  };
  return { texts, readText, walk, finish };
}

function factsOf(r: InvestigationResult): Facts {
  const { texts, readText, walk, finish } = factCollector();
  walk(r.subject, 0);
  walk(r.window, 0);
  readText(r.summary, true);
  for (const finding of r.findings) {
    texts.push(finding.id);
    readText(finding.title, true);
    walk(finding.confidence, 0);
    readText(finding.hint, true);
    for (const e of finding.evidence) {
      readText(e.summary, true);
      if (e.ref !== undefined) readText(e.ref, true);
      if (e.query !== undefined) readText(e.query, false);
      walk(e.rows, 0);
    }
    walk(finding.data, 0);
  }
  if (r.priority) {
    walk(r.priority.score, 0);
    walk(r.priority.inputs, 0);
    texts.push(r.priority.formula);
  }
  for (const g of r.gaps) readText(g, true);
  return finish();
}

/** Whether the sorted list holds a value in [lo, hi]. */
function anyWithin(sorted: readonly number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid]! < lo) a = mid + 1;
    else b = mid;
  }
  return a < sorted.length && sorted[a]! <= hi;
}

function supported(c: Claim, facts: Facts): boolean {
  switch (c.type) {
    case 'number': {
      const { value, tol, fractionTol } = c.n;
      const slack = 1e-9 * Math.max(1, value);
      return (
        anyWithin(facts.numbers, value - tol - slack, value + tol + slack) ||
        (fractionTol !== undefined &&
          anyWithin(facts.numbers, (value - fractionTol - slack) / 100, (value + fractionTol + slack) / 100))
      );
    }
    case 'instant':
      return c.seconds ? facts.seconds.has(Math.floor(c.ms / 1000)) : facts.minutes.has(Math.floor(c.ms / 60_000));
    case 'date':
      return facts.dates.has(c.key);
    case 'monthDay':
      return facts.monthDays.has(c.key);
    case 'clock':
      return facts.clocks.has(c.key);
    case 'identifier': {
      const id = c.text.toLowerCase();
      return facts.corpus.includes(id) || (/^v\d/.test(id) && facts.corpus.includes(id.slice(1)));
    }
  }
}

function problemOf(c: Claim, sentence: number): string {
  switch (c.type) {
    case 'number':
      return `sentence ${sentence} states ${c.n.text}, which no finding supports`;
    case 'identifier':
      return `sentence ${sentence} names "${c.text}", which appears nowhere in the investigation`;
    default:
      return `sentence ${sentence} gives the time or date "${c.text}", which is not in the investigation`;
  }
}

// ---- sentences and citations ----

const BRACKET_RE = /\[([^\]\n]*)\]/g;
const CITATION_LIST = /^\s*F\d+(?:(?:\s*(?:,|;|&|\band\b)\s*|\s+)F\d+)*\s*$/i;

/** Splits prose into sentences; a citation right after the full stop joins an uncited sentence. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const hasCitation = (s: string) => [...s.matchAll(BRACKET_RE)].some((m) => CITATION_LIST.test(m[1]!));
  for (const line of text.split(/\n+/)) {
    let start = 0;
    const re = /[.!?]+["')]*((?:\s*\[[^\]\n]*\])*)(?=\s|$)/g;
    for (const m of line.matchAll(re)) {
      let end = m.index + m[0].length;
      const trailing = m[1] ?? '';
      if (trailing && hasCitation(line.slice(start, end - trailing.length))) end -= trailing.length;
      else if (!/^$|^[A-Z0-9"'([“‘]/.test(line.slice(end).trimStart())) continue;
      out.push(line.slice(start, end));
      start = end;
    }
    out.push(line.slice(start));
  }
  return out.map((s) => s.trim()).filter((s) => /[A-Za-z0-9]/.test(s));
}

/**
 * Accepts a narrative only when every sentence cites known findings and every number, time and
 * identifier in it is supported by the result (the rules are at the top of this file).
 */
export function checkNarrative(text: string, result: InvestigationResult): NarrativeCheck {
  return checkAgainst(text, new Set(result.findings.map((f) => f.id)), factsOf(result), 'finding');
}

/** One thing prose may cite as [F<n>]: its id, its texts (numbers count) and queries (identifiers only). */
export interface CitableSource {
  id: string;
  texts: readonly string[];
  queries?: readonly string[];
}

/**
 * checkNarrative's rules for prose over any list of cited sources (an answer's evidence lines):
 * each sentence cites known ids in brackets, and every number, time and identifier it states is
 * in the sources it was given.
 */
export function checkCitedText(text: string, sources: readonly CitableSource[], noun = 'source'): NarrativeCheck {
  const { texts, readText, finish } = factCollector();
  for (const s of sources) {
    texts.push(s.id);
    for (const t of s.texts) readText(t, true);
    for (const q of s.queries ?? []) readText(q, false);
  }
  return checkAgainst(text, new Set(sources.map((s) => s.id)), finish(), noun);
}

function checkAgainst(text: string, ids: ReadonlySet<string>, facts: Facts, noun: string): NarrativeCheck {
  const t = text
    .replace(/[\u00a0\u2009\u202f]/g, ' ')
    .replace(/\u2212/g, '-')
    .trim();
  if (t === '') return { ok: false, problems: ['the text is empty'] };
  if (t.length > NARRATIVE_MAX_CHARS)
    return {
      ok: false,
      problems: [`the text is ${t.length} characters long, over the ${NARRATIVE_MAX_CHARS} allowed`],
    };
  const problems = new Set<string>();
  const citations: string[] = [];
  const sentences = splitSentences(t);
  if (sentences.length === 0) return { ok: false, problems: ['the text has no sentences'] };
  sentences.forEach((sentence, i) => {
    const n = i + 1;
    let cited = 0;
    let rest = sentence.replace(BRACKET_RE, (all, inner: string) => {
      if (!/\bF\d+\b/i.test(inner)) return all;
      if (!CITATION_LIST.test(inner)) {
        problems.add(`sentence ${n} has an unreadable citation ${all}: cite ids like [F1] or [F1, F3]`);
        return ' '.repeat(all.length);
      }
      for (const m of inner.matchAll(/F(\d+)/gi)) {
        const id = `F${m[1]}`;
        cited++;
        if (!ids.has(id)) problems.add(`cites ${id}, which is not a ${noun}`);
        else if (!citations.includes(id)) citations.push(id);
      }
      return ' '.repeat(all.length);
    });
    rest = rest.replace(/\bF(\d+)\b/g, (all, d: string) => {
      if (!ids.has(`F${d}`)) problems.add(`mentions F${d}, which is not a ${noun}`);
      return ' '.repeat(all.length);
    });
    if (cited === 0) problems.add(`sentence ${n} cites no ${noun}: "${clip(sentence, 80)}"`);
    for (const c of claimsIn(rest)) if (!supported(c, facts)) problems.add(problemOf(c, n));
  });
  return problems.size === 0 ? { ok: true, citations } : { ok: false, problems: [...problems] };
}
