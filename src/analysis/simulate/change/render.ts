// The blast radius as Markdown: what changed, the exposed endpoints (entry endpoints first)
// with their traffic and mark, services, people, problems, tickets, owners and the notes.
import type { BlastEndpoint, BlastRadius } from '../../../model/index.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function num(n: number | null): string {
  if (n === null) return '–';
  return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, '') || '0';
}

function endpointName(e: BlastEndpoint): string {
  const methods = e.methods.length && !/^[A-Z]+ \//.test(e.endpoint) ? `${e.methods.join(',')} ` : '';
  return `${methods}${e.endpoint}`;
}

export function blastRadiusMarkdown(r: BlastRadius): string {
  const out: string[] = [];
  const short = (sha: string) => sha.slice(0, 12);
  out.push(`# Blast radius of ${r.repository} ${short(r.base)}..${short(r.head)}`);
  out.push('');
  if (r.deploy)
    out.push(
      `Deploy ${r.deploy.id}: ${r.deploy.service} ${r.deploy.version} (only code ${r.deploy.service} runs counts as changed).`,
    );
  const s = r.summary;
  out.push(
    `${s.changedUnits} changed unit${s.changedUnits === 1 ? '' : 's'}, ${s.reachedUnits} reaching them; ` +
      `${s.endpoints} exposed endpoint${s.endpoints === 1 ? '' : 's'} (${s.entryEndpoints} entry) in ${s.services} service${s.services === 1 ? '' : 's'}: ` +
      `${s.runtimeConfirmed} runtime-confirmed, ${s.staticOnly} static-only.` +
      (s.entryCallsPerMinute !== null ? ` Entry traffic: ${num(s.entryCallsPerMinute)} calls/min.` : ''),
  );
  if (r.window)
    out.push(`Telemetry window: ${r.window.since} to ${r.window.until} (${r.window.minutes} min with data).`);
  out.push('', `Algorithm ${r.algorithm}.`, '');

  out.push('## Exposed endpoints', '');
  if (r.endpoints.length === 0) out.push('None found.', '');
  else {
    out.push('| service | endpoint | entry | mark | calls/min | errors/min | users | accounts | reached by |');
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const e of r.endpoints) {
      out.push(
        `| ${cell(e.service)} | ${cell(endpointName(e))} | ${e.entry ? 'yes' : ''} | ${e.mark} | ${num(e.callsPerMinute)} | ${num(e.errorsPerMinute)} | ${num(e.users)} | ${num(e.accounts)} | ${cell(e.path.join(' → '))} |`,
      );
    }
    out.push('');
    const withEvidence = r.endpoints.filter((e) => e.evidence.some((x) => x.kind !== 'trace-call'));
    if (withEvidence.length) {
      out.push('Runtime evidence:', '');
      for (const e of withEvidence) {
        const x = e.evidence.find((v) => v.kind !== 'trace-call')!;
        out.push(
          `- ${e.service} ${endpointName(e)}: ${x.detail} — ${x.unit}${x.traceId ? ` (trace ${x.traceId})` : ''}`,
        );
      }
      out.push('');
    }
  }

  out.push('## Services', '');
  for (const sv of r.services) {
    out.push(
      `- **${sv.service}** (${sv.mark}, via ${sv.via}): ${sv.endpoints} endpoint${sv.endpoints === 1 ? '' : 's'}` +
        (sv.callsPerMinute !== null ? `, ${num(sv.callsPerMinute)} calls/min` : '') +
        (sv.owners.length ? `; owners ${sv.owners.join(', ')}` : ''),
    );
  }
  if (r.services.length === 0) out.push('None.');
  out.push('');

  const p = r.people;
  if (p.users !== null || p.accounts !== null || p.topUsers.length || p.topAccounts.length) {
    out.push('## Users and accounts', '');
    out.push(
      `About ${num(p.users)} users and ${num(p.accounts)} accounts used the exposed entry endpoints in the window.`,
    );
    if (p.topUsers.length)
      out.push(`Most active users: ${p.topUsers.map((u) => `${u.id} (${u.requests})`).join(', ')}.`);
    if (p.topAccounts.length)
      out.push(`Most active accounts: ${p.topAccounts.map((u) => `${u.id} (${u.requests})`).join(', ')}.`);
    out.push('');
  }

  if (r.problems.length) {
    out.push('## Open problems', '');
    for (const pr of r.problems) out.push(`- problem ${pr.id}: ${pr.title} (${pr.why}: ${pr.detail})`);
    out.push('');
  }
  if (r.tickets.length) {
    out.push('## Open tickets', '');
    for (const t of r.tickets) out.push(`- ticket ${t.id}: ${t.title} (${t.why})`);
    out.push('');
  }

  out.push('## What changed', '');
  out.push('| file | unit | change | why | service | seen at runtime |');
  out.push('|---|---|---|---|---|---|');
  for (const c of r.changed) {
    out.push(
      `| ${cell(c.path)} | ${cell(c.name)} | ${c.change} | ${cell(c.why)} | ${c.service ?? ''} | ${c.seenAtRuntime ? 'yes' : ''} |`,
    );
  }
  const quiet = r.files.filter((f) => f.units === 0);
  if (quiet.length) {
    out.push('');
    for (const f of quiet) out.push(`- ${f.path} (${f.status}): ${f.note ?? 'no unit changed'}`);
  }
  out.push('');

  if (r.owners.length) {
    out.push('## Owners', '');
    for (const o of r.owners)
      out.push(
        `- ${o.owner}: ${o.role === 'changed' ? 'owns changed code' : 'owns exposed code'} (${o.paths.slice(0, 5).join(', ')}${o.paths.length > 5 ? ', …' : ''})`,
      );
    out.push('');
  }
  if (r.notes.length) {
    out.push('## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
