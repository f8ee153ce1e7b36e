// A review as Markdown: the tier and its reasons first (what a reviewer acts on), the rollout,
// then the changed symbols with their production context, tests, owners, configuration and
// routes, and the blast radius's summary. `maxChars` cuts it to a size a comment or a check
// run's summary can hold, keeping the head and saying what was cut.
import type { Review, ReviewSymbol } from '../../model/index.js';

const f1 = (n: number | null) => (n === null ? '–' : n.toFixed(1));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function symbolRow(s: ReviewSymbol): string {
  const trouble = [
    s.errorGroups.length ? `${s.errorGroups.length} error group(s)` : '',
    s.problems.length ? `problems ${s.problems.map((p) => p.id).join(', ')}` : '',
    s.tickets.length ? `tickets ${s.tickets.map((t) => t.id).join(', ')}` : '',
    s.suspectInvestigations ? `suspect in ${s.suspectInvestigations} investigation(s)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `| \`${cell(s.name)}\` | ${cell(s.path)} | ${s.change} | ${f1(s.callsPerMinute)} | ${f1(s.p95Ms)} | ${s.tests.length ? s.tests.length : s.hot ? '**none**' : '0'} | ${cell(trouble || '–')} |`;
}

export function reviewMarkdown(r: Review, opts: { maxChars?: number; marker?: string } = {}): string {
  const L: string[] = [];
  if (opts.marker) L.push(opts.marker);
  L.push(`## Orrery review: **${r.tier}** risk`, '');
  L.push(
    `${r.repository} \`${r.base.slice(0, 12)}..${r.head.slice(0, 12)}\` (${r.commits.length} commit(s)), production read up to ${r.asOf}${r.window ? ` (${r.window.minutes} min of data)` : ' (no telemetry)'} — ${r.algorithm}`,
    '',
  );
  if (r.reasons.length) {
    L.push('### Why');
    for (const x of r.reasons) {
      L.push(`- **${x.tier}** — ${x.finding}. _${x.says}_`);
      for (const e of x.evidence) L.push(`  - ${e.kind} \`${e.ref}\`: ${e.detail}`);
    }
    L.push('');
  } else L.push('No risk rule applies: nothing in production ties this change to latency, errors or traffic.', '');
  L.push(`**Rollout:** ${r.rollout.text}.`, '');
  if (r.untestedHot.length) {
    L.push('### Deserve a test before merge', '');
    for (const id of r.untestedHot) L.push(`- \`${id}\``);
    L.push('');
  }
  if (r.symbols.length) {
    L.push('### Changed symbols in production', '');
    L.push('| symbol | file | change | calls/min | p95 ms | tests | known trouble |', '|---|---|---|---|---|---|---|');
    for (const s of [...r.symbols].sort((a, b) => (b.callsPerMinute ?? -1) - (a.callsPerMinute ?? -1)))
      L.push(symbolRow(s));
    L.push('');
  }
  if (r.config.length) {
    L.push('### Configuration', '');
    L.push('| file | resource | setting | before | after | production |', '|---|---|---|---|---|---|');
    for (const c of r.config)
      L.push(
        `| ${cell(c.path)}${c.line ? `:${c.line}` : ''} | ${cell(c.resource)} | ${cell(c.setting)} | ${cell(c.before ?? '–')} | ${cell(c.after ?? '–')} | ${c.measured ? cell(`${c.measured.what}: ${Number(c.measured.value.toFixed(3))} ${c.measured.unit}`) : '–'} |`,
      );
    L.push('');
  }
  if (r.routes.length) {
    L.push('### Removed routes', '');
    for (const x of r.routes)
      L.push(
        `- ${x.service} \`${x.endpoint}\` ${x.change}${x.renamedTo ? ` to \`${x.renamedTo}\`` : ''}: ${x.callsPerMinute === null ? 'no traffic seen' : `${f1(x.callsPerMinute)} calls/min`}`,
      );
    L.push('');
  }
  if (r.tests.length) {
    L.push('### Tests that reach the change', '');
    for (const t of r.tests) L.push(`- ${t.path}: ${t.reaches.map((x) => `\`${x}\``).join(', ')}`);
    L.push('');
  }
  if (r.owners.length) {
    L.push('### Owners to request', '');
    for (const o of r.owners) L.push(`- ${o.owner} (${o.why}: ${o.paths.join(', ')})`);
    L.push('');
  }
  const b = r.blastRadius.summary;
  L.push(
    '### Blast radius',
    '',
    `${b.changedUnits} changed unit(s), ${b.reachedUnits} reached; ${b.endpoints} endpoint(s) exposed (${b.runtimeConfirmed} runtime-confirmed, ${b.staticOnly} static-only) in ${b.services} service(s)${b.entryCallsPerMinute === null ? '' : `, ${f1(b.entryCallsPerMinute)} entry calls/min`}.`,
    '',
  );
  for (const e of r.blastRadius.endpoints.slice(0, 15))
    L.push(
      `- ${e.service} \`${e.endpoint}\`${e.entry ? ' (entry)' : ''}: ${e.mark}, ${f1(e.callsPerMinute)} calls/min`,
    );
  if (r.notes.length) L.push('', '### Notes', '', ...r.notes.map((n) => `- ${n}`));
  const text = `${L.join('\n')}\n`;
  const max = opts.maxChars;
  if (max === undefined || text.length <= max) return text;
  const tail = '\n\n_(cut to fit; the whole review is in the JSON output)_\n';
  return text.slice(0, Math.max(0, max - tail.length)).replace(/\n[^\n]*$/, '') + tail;
}
