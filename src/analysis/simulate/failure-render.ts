// A failure simulation as Markdown: the verdict per entry endpoint with its error rate and p95
// (each with its interval) and why, the people and open tickets behind the affected ones, then
// what it rests on (inputs measured or assumed, the outcome definitions, assumptions).
import type { FailureSimulationResult } from '../../model/index.js';
import { describeMode } from './failure-mode.js';
import { fig, msOf, num, pctOf, table, validityLines } from './markdown-parts.js';

const count = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));

export function failureSimulationMarkdown(r: FailureSimulationResult, opts: { id?: number } = {}): string {
  const out: string[] = [];
  const span = (Date.parse(r.window.until) - Date.parse(r.window.since)) / 60_000;
  out.push(`# Failure simulation: ${r.service} ${r.modeText}${opts.id ? ` (simulation ${opts.id})` : ''}`);
  out.push('');
  out.push(
    `${r.algorithm}, calibrated on ${r.window.since} – ${r.window.until} (${num(span)} min, ${Math.round(r.traces).toLocaleString('en-US')} traces${r.sampled < 1 ? `, ${pctOf(r.sampled)} read` : ''}). ` +
      `${r.service} ${describeMode(r.mode)}. Figures are the estimate with the 10th–90th percentile over ${r.replicates} bootstrap replicates in brackets.`,
  );
  out.push('');
  out.push('## Verdict');
  out.push('');
  out.push(
    `- ${r.summary.failed} entry endpoints fail, ${r.summary.degraded} degrade, ${r.summary.unaffected} are unaffected.`,
  );
  if (r.people)
    out.push(
      `- The failed and degraded endpoints had ${count(r.people.users)} users in ${count(r.people.accounts)} accounts between ${r.people.since} and ${r.people.until}.`,
    );
  if (r.tickets.length) out.push(`- ${r.tickets.length} open tickets name them or their people.`);
  out.push('');
  out.push('## Endpoints');
  out.push('');
  out.push(
    table(
      [
        'endpoint',
        'outcome',
        'errors: baseline → predicted',
        'p95 ms: baseline → predicted',
        'requests/s',
        'users',
        'why',
      ],
      r.endpoints.map((e) => [
        `${e.service} ${e.endpoint}`,
        e.outcome,
        `${pctOf(e.baseline.errorRate)} → ${fig(e.errorRate, pctOf)}`,
        `${msOf(e.baseline.p95)} → ${fig(e.p95, msOf)}`,
        num(e.rate),
        e.people ? count(e.people.users) : '–',
        e.why,
      ]),
    ),
  );
  if (r.people && (r.people.topUsers.length || r.people.topAccounts.length)) {
    out.push('');
    out.push('## People');
    out.push('');
    if (r.people.topUsers.length)
      out.push(`- Most active users: ${r.people.topUsers.map((u) => `${u.id} (${u.requests})`).join(', ')}`);
    if (r.people.topAccounts.length)
      out.push(`- Most active accounts: ${r.people.topAccounts.map((u) => `${u.id} (${u.requests})`).join(', ')}`);
  }
  if (r.tickets.length) {
    out.push('');
    out.push('## Open tickets');
    out.push('');
    for (const t of r.tickets) out.push(`- ticket ${t.id}: ${t.title} (${t.status}; ${t.why})`);
  }
  out.push('');
  out.push('## Outcomes');
  out.push('');
  for (const d of r.definitions) out.push(`- ${d}`);
  out.push('');
  out.push(...validityLines(r));
  out.push('');
  return out.join('\n');
}
