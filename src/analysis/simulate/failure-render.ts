// A failure simulation as Markdown: the verdict per entry endpoint with its error rate and p95
// (each with its interval) and why, the people and open tickets behind the affected ones, then
// what it rests on (inputs measured or assumed, the outcome definitions, assumptions).
import type { FailureSimulationResult, Figure } from '../../model/index.js';
import { describeMode } from './failure-mode.js';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const num = (x: number) =>
  Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1);
const msOf = (x: number | null) => (x === null ? '∞' : num(x));
const pctOf = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`);
const count = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));

function fig(f: Figure, show: (x: number | null) => string): string {
  const v = show(f.value);
  if (f.p10 === f.value && f.p90 === f.value) return v;
  return `${v} (${show(f.p10)}–${show(f.p90)})`;
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

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
  out.push(`## Validity: ${r.validity.measured} inputs measured, ${r.validity.assumed} assumed`);
  out.push('');
  const inputs = [...r.inputs].sort((a, b) => (a.validity === b.validity ? 0 : a.validity === 'assumed' ? -1 : 1));
  out.push(
    table(
      ['input', 'value', 'validity', 'source'],
      inputs.map((i) => [i.name, i.value, i.validity, i.source]),
    ),
  );
  out.push('');
  out.push('## Assumptions');
  out.push('');
  for (const a of r.assumptions) out.push(`- ${a}`);
  if (r.warnings.length) {
    out.push('');
    out.push('## Warnings');
    out.push('');
    for (const w of r.warnings) out.push(`- ${w}`);
  }
  out.push('');
  return out.join('\n');
}
