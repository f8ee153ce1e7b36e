// Whether two signals are one fault, and why: they share a sampled trace (one request raised
// both), one's text quotes the other's (a log line or an upstream error carrying the error it
// got), their series move together, or they began together. Pure.
import { type FollowOptions, follows } from './series.js';

/** One error group or log pattern, as the evidence reads it. */
export interface Evidential {
  service: string;
  series: readonly number[];
  /** Epoch ms of the first event ever, or null. */
  firstSeenMs: number | null;
  /** Epoch ms the service was first seen, or null when unknown. */
  serviceFirstSeenMs: number | null;
  /** Trace ids of the sampled events. */
  traces: ReadonlySet<string>;
  /** The words of its message or template (ticket-match's wordSet). */
  words: ReadonlySet<string>;
}

export interface EvidenceOptions extends FollowOptions {
  /**
   * A shared first-seen moment counts only for signals first seen at least this long after
   * their service was (default 10 min): when Orrery starts watching, or a service starts,
   * everything is "first seen" at once, which says nothing about a fault.
   */
  onsetAfterServiceMs: number;
  /** An upstream symptom is never first seen more than this before its cause (default 5 s, clock skew between hosts). */
  precedenceSlackMs: number;
  /** A quote: at least this share of the quoted text's words (default 0.8) … */
  minQuoteShare: number;
  /** … and at least this many words (default 3). */
  minQuoteWords: number;
}

export const EVIDENCE_DEFAULTS: Omit<EvidenceOptions, keyof FollowOptions> = {
  onsetAfterServiceMs: 10 * 60_000,
  precedenceSlackMs: 5_000,
  minQuoteShare: 0.8,
  minQuoteWords: 3,
};

export interface Evidence {
  /** For ranking candidates: shared trace 2, quote 1.5, plus r, plus 0.25 for a shared onset. */
  strength: number;
  /** Pearson r when it counted. */
  r: number | null;
  why: string;
}

/** Share of `quoted`'s words found in `text` (0 when `quoted` has too few words). */
export function quoteShare(quoted: ReadonlySet<string>, text: ReadonlySet<string>, minWords: number): number {
  if (quoted.size < minWords) return 0;
  let n = 0;
  for (const w of quoted) if (text.has(w)) n++;
  return n / quoted.size;
}

function sharedTrace(a: ReadonlySet<string>, b: ReadonlySet<string>): string | null {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const t of small) if (large.has(t)) return t;
  return null;
}

function settled(x: Evidential, o: EvidenceOptions): boolean {
  return (
    x.firstSeenMs !== null &&
    (x.serviceFirstSeenMs === null || x.firstSeenMs - x.serviceFirstSeenMs >= o.onsetAfterServiceMs)
  );
}

/**
 * The evidence that `a` is part of the same fault as `b`, or null. `mode` 'attach': `a` (a
 * pattern) belongs with `b` in its own service, and a quote may go either way. 'upstream':
 * `a` is in a caller of `b`'s service; only `a` quoting `b` counts, and `a` may not begin
 * before `b` (a symptom does not precede its cause).
 */
export function sameFault(
  a: Evidential,
  b: Evidential,
  windowSinceMs: number,
  o: EvidenceOptions,
  mode: 'attach' | 'upstream',
): Evidence | null {
  if (
    mode === 'upstream' &&
    a.firstSeenMs !== null &&
    b.firstSeenMs !== null &&
    a.firstSeenMs >= windowSinceMs &&
    a.firstSeenMs < b.firstSeenMs - o.precedenceSlackMs
  ) {
    return null;
  }
  const parts: string[] = [];
  let strength = 0;
  const trace = sharedTrace(a.traces, b.traces);
  if (trace !== null) {
    strength += 2;
    parts.push(`shares sampled trace ${trace.slice(0, 12)}`);
  }
  const quote = Math.max(
    quoteShare(b.words, a.words, o.minQuoteWords),
    mode === 'attach' ? quoteShare(a.words, b.words, o.minQuoteWords) : 0,
  );
  if (quote >= o.minQuoteShare) {
    strength += 1.5;
    parts.push(`quotes its message (${Math.round(quote * 100)}% of words)`);
  }
  const f = follows(
    { series: a.series, firstSeenMs: settled(a, o) ? a.firstSeenMs : null },
    { series: b.series, firstSeenMs: settled(b, o) ? b.firstSeenMs : null },
    windowSinceMs,
    o,
  );
  if (f) {
    strength += (f.r ?? 0) + (f.sameOnset ? 0.25 : 0);
    parts.push(f.why);
  }
  if (parts.length === 0) return null;
  return { strength, r: f?.r ?? null, why: parts.join(', ') };
}
