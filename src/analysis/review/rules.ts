// review@1's risk rules: each a general sentence about changes and production, and the test
// that finds where a change meets it. A reason cites the evidence that met the rule; the tier
// is the highest of the reasons' (low with none). No rule names a system or a tuned number:
// each compares the change with what production measured.
import type {
  ReviewConfigChange,
  ReviewEvidence,
  ReviewReason,
  ReviewRouteChange,
  ReviewRule,
  ReviewSymbol,
  ReviewTier,
} from '../../model/index.js';

export const RULES: Record<ReviewRule, { tier: 'medium' | 'high'; says: string }> = {
  'timeout-below-measured': {
    tier: 'high',
    says: 'A timeout set below the measured p99 latency of the call it governs will fail calls that succeed today.',
  },
  'route-removed-with-traffic': {
    tier: 'high',
    says: 'A route removed or renamed while production still sends it requests will answer those requests with an error.',
  },
  'remote-call-per-item': {
    tier: 'high',
    says: "A call to another service made once per item of a collection, on code production runs, multiplies that call's load and chance of failing by the items a request carries, and its measured latency too when each call waits for the one before.",
  },
  'read-path-nobody-writes': {
    tier: 'high',
    says: "A read of nested data through new keys that no code in the repository writes, where the path it replaces is written by the repository's own code, expects a shape its producer does not send: on code production runs, every record with that field fails or reads nothing.",
  },
  'attempts-reduced-on-failing-call': {
    tier: 'medium',
    says: 'Fewer attempts on a call that fails in production turn failures a retry hides today into failures its callers see.',
  },
  'capacity-reduced-under-load': {
    tier: 'medium',
    says: 'Less capacity (replicas, autoscaling bounds, CPU, memory, pools or workers) for a service that serves traffic lowers the load it can take before it queues or fails.',
  },
  'hot-code-untested': {
    tier: 'medium',
    says: 'A change to code production runs that no test reaches goes out with nothing to catch a regression before users do.',
  },
  'known-trouble': {
    tier: 'medium',
    says: 'Code that production already reports errors, problems or tickets against is fragile; a change there can deepen a known failure.',
  },
  'suspect-history': {
    tier: 'medium',
    says: 'A file whose commits were suspects in past investigations has broken production before.',
  },
  'wide-exposure': {
    tier: 'medium',
    says: 'A change that sampled production traces show running behind entry endpoints reaches users on their next request.',
  },
};

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 3 : 1));

function reason(rule: ReviewRule, finding: string, evidence: ReviewEvidence[], at: ReviewReason['at']): ReviewReason {
  return { rule, tier: RULES[rule].tier, says: RULES[rule].says, finding, evidence, at };
}

function configEvidence(c: ReviewConfigChange): ReviewEvidence {
  return {
    kind: 'config',
    ref: `${c.path} ${c.resource} ${c.setting}`,
    detail: `${c.before ?? '(unset)'} → ${c.after ?? '(unset)'}`,
  };
}

function lineAt(c: ReviewConfigChange): ReviewReason['at'] {
  return c.line === null ? null : { path: c.path, startLine: c.line, endLine: c.line };
}

/** Settings whose lower value gives less capacity. */
const CAPACITY = new Set(['replicas', 'hpa-min', 'hpa-max', 'cpu-limit', 'memory-limit', 'pool', 'workers']);

function configReasons(config: readonly ReviewConfigChange[]): ReviewReason[] {
  const out: ReviewReason[] = [];
  for (const c of config) {
    const m = c.measured;
    if (m === null || c.afterValue === null) continue;
    const measured: ReviewEvidence = { kind: 'edge', ref: m.what, detail: `${num(m.value)} ${m.unit}; ${m.why}` };
    if (c.role === 'timeout' && m.unit === 'ms' && c.afterValue < m.value) {
      out.push(
        reason(
          'timeout-below-measured',
          `${c.setting} on ${c.resource} is ${num(c.afterValue)} ms, below the measured ${m.what} of ${num(m.value)} ms`,
          [configEvidence(c), measured],
          lineAt(c),
        ),
      );
    } else if (
      c.role === 'attempts' &&
      m.unit === 'ratio' &&
      m.value > 0 &&
      c.beforeValue !== null &&
      c.afterValue < c.beforeValue
    ) {
      out.push(
        reason(
          'attempts-reduced-on-failing-call',
          `${c.setting} on ${c.resource} goes from ${num(c.beforeValue)} to ${num(c.afterValue)} attempts on a call that fails ${num(m.value * 100)}% of the time`,
          [configEvidence(c), measured],
          lineAt(c),
        ),
      );
    } else if (
      CAPACITY.has(c.role) &&
      m.unit === 'per-minute' &&
      m.value > 0 &&
      c.beforeValue !== null &&
      c.afterValue < c.beforeValue
    ) {
      out.push(
        reason(
          'capacity-reduced-under-load',
          `${c.setting} on ${c.resource} goes from ${c.before} to ${c.after} while ${m.what} is ${num(m.value)}`,
          [configEvidence(c), { kind: 'endpoint', ref: m.what, detail: `${num(m.value)} per minute` }],
          lineAt(c),
        ),
      );
    }
  }
  return out;
}

function routeReasons(routes: readonly ReviewRouteChange[]): ReviewReason[] {
  return routes
    .filter((r) => (r.callsPerMinute ?? 0) > 0)
    .map((r) =>
      reason(
        'route-removed-with-traffic',
        `${r.endpoint} of ${r.service} is ${r.change === 'renamed' ? `renamed to ${r.renamedTo}` : 'removed'} while production sends it ${num(r.callsPerMinute!)} requests per minute`,
        [{ kind: 'endpoint', ref: `${r.service} ${r.endpoint}`, detail: `${num(r.callsPerMinute!)} calls/min` }],
        null,
      ),
    );
}

function symbolAt(s: ReviewSymbol, firstChangedLine: (s: ReviewSymbol) => ReviewReason['at']): ReviewReason['at'] {
  return s.change === 'removed' ? null : firstChangedLine(s);
}

function endpointEvidence(s: ReviewSymbol, max = 3): ReviewEvidence[] {
  return s.endpoints.slice(0, max).map((e) => ({
    kind: 'endpoint',
    ref: `${e.service} ${e.endpoint}`,
    detail: `${e.callsPerMinute === null ? 'no minutes' : `${num(e.callsPerMinute)} calls/min`}${e.p95Ms === null ? '' : `, p95 ${num(e.p95Ms)} ms`}${e.mark === 'runtime-confirmed' ? ', traces ran it' : ''}`,
  }));
}

function symbolReasons(
  symbols: readonly ReviewSymbol[],
  firstChangedLine: (s: ReviewSymbol) => ReviewReason['at'],
): ReviewReason[] {
  const out: ReviewReason[] = [];
  for (const s of symbols) {
    const at = symbolAt(s, firstChangedLine);
    if (s.hot && s.loopCalls.length)
      for (const l of s.loopCalls)
        out.push(
          reason(
            'remote-call-per-item',
            `${s.id} calls ${l.service} ${l.endpoint} once per item in its loop at line ${l.line} (through ${l.calls})${l.p95Ms === null ? '' : `, ${num(l.p95Ms)} ms at p95 each`}`,
            [
              {
                kind: 'endpoint',
                ref: `${l.service} ${l.endpoint}`,
                detail: l.p95Ms === null ? 'no latency measured' : `p95 ${num(l.p95Ms)} ms`,
              },
              ...endpointEvidence(s),
            ],
            { path: s.path, startLine: l.line, endLine: l.line },
          ),
        );
    if (s.hot)
      for (const u of s.unwrittenReads)
        out.push(
          reason(
            'read-path-nobody-writes',
            `${s.id} reads ${u.read} where it read ${u.replaced}; no code outside tests writes ${u.unwritten.map((k) => `"${k}"`).join(', ')}`,
            [
              { kind: 'symbol', ref: s.id, detail: `line ${u.line}: ${u.replaced} → ${u.read}` },
              ...endpointEvidence(s),
            ],
            { path: s.path, startLine: u.line, endLine: u.line },
          ),
        );
    if (s.hot && s.tests.length === 0 && s.change !== 'removed')
      out.push(
        reason(
          'hot-code-untested',
          `${s.id} runs in production${s.callsPerMinute ? ` behind ${num(s.callsPerMinute)} calls/min` : ''} and no test reaches it`,
          [
            ...endpointEvidence(s),
            { kind: 'test', ref: s.id, detail: 'no test file calls it, directly or through callers' },
          ],
          at,
        ),
      );
    const trouble: ReviewEvidence[] = [
      ...s.errorGroups.map((g) => ({
        kind: 'error-group' as const,
        ref: `${g.service} ${g.fingerprint}`,
        detail: `a frame in it: ${g.frame}`,
      })),
      ...s.problems.map((p) => ({ kind: 'problem' as const, ref: `problem ${p.id}`, detail: p.title })),
      ...s.tickets.map((t) => ({ kind: 'ticket' as const, ref: `ticket ${t.id}`, detail: t.title })),
    ];
    if (trouble.length)
      out.push(
        reason(
          'known-trouble',
          `${s.id} has ${[
            s.errorGroups.length && `${s.errorGroups.length} error group(s)`,
            s.problems.length && `${s.problems.length} open problem(s)`,
            s.tickets.length && `${s.tickets.length} open ticket(s)`,
          ]
            .filter(Boolean)
            .join(', ')} against it`,
          trouble,
          at,
        ),
      );
  }
  // One reason per file for its history, on the first changed symbol of it.
  const files = new Map<string, ReviewSymbol>();
  for (const s of symbols) if (s.suspectInvestigations > 0 && !files.has(s.path)) files.set(s.path, s);
  for (const s of files.values())
    out.push(
      reason(
        'suspect-history',
        `${s.path} held a suspect commit in ${s.suspectInvestigations} past investigation(s)`,
        [{ kind: 'investigation', ref: s.path, detail: `${s.suspectInvestigations} investigation(s)` }],
        symbolAt(s, firstChangedLine),
      ),
    );
  const confirmed = symbols.flatMap((s) =>
    s.endpoints.filter((e) => e.entry && e.mark === 'runtime-confirmed' && (e.callsPerMinute ?? 0) > 0),
  );
  if (confirmed.length) {
    const unique = new Map(confirmed.map((e) => [`${e.service} ${e.endpoint}`, e]));
    out.push(
      reason(
        'wide-exposure',
        `sampled traces ran the changed code behind ${unique.size} entry endpoint(s)`,
        [...unique.values()].slice(0, 5).map((e) => ({
          kind: 'endpoint',
          ref: `${e.service} ${e.endpoint}`,
          detail: `${num(e.callsPerMinute!)} calls/min`,
        })),
        null,
      ),
    );
  }
  return out;
}

export interface RuleInput {
  symbols: readonly ReviewSymbol[];
  config: readonly ReviewConfigChange[];
  routes: readonly ReviewRouteChange[];
  /** Where a symbol's change starts at head, for its reasons' annotations. */
  firstChangedLine: (s: ReviewSymbol) => ReviewReason['at'];
}

/** Every reason the change meets, high first, and the tier they make. */
export function assess(input: RuleInput): { tier: ReviewTier; reasons: ReviewReason[] } {
  const reasons = [
    ...configReasons(input.config),
    ...routeReasons(input.routes),
    ...symbolReasons(input.symbols, input.firstChangedLine),
  ];
  reasons.sort((a, b) => Number(b.tier === 'high') - Number(a.tier === 'high'));
  const tier: ReviewTier = reasons.some((r) => r.tier === 'high') ? 'high' : reasons.length ? 'medium' : 'low';
  return { tier, reasons };
}
