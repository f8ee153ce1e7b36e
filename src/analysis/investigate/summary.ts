// The one-sentence summary of a run, citing the first finding of each kind it names. It is about
// one service: the root it names, that root's change, the code and suspect commit found for it,
// and its impact; another service's deploy or commit never joins its sentence.
import type { Finding, FindingOf } from '../../model/index.js';
import { findingsOf } from '../../model/index.js';

/**
 * The root (the focus's root finding, else the first; or that none stood out for `service`), a
 * load change that explains it, else its change, then the suspect and code (when they were looked
 * for in the same service: `focus` is the code step's service), its impact and related tickets.
 */
export function summaryOf(
  findings: readonly Finding[],
  service: string | null,
  opts: { focus?: string | null } = {},
): string {
  const roots = findingsOf(findings, 'root_cause_service');
  const root = roots.find((f) => f.data.service === opts.focus) ?? roots[0];
  const about = root?.data.service ?? opts.focus ?? service;
  const same = <F extends Finding & { data: { service: string } }>(fs: F[]): F | undefined =>
    about === null ? fs[0] : fs.find((f) => f.data.service === about);
  const load = same(findingsOf(findings, 'load_change'));
  const change = load ? undefined : same(findingsOf(findings, 'change'));
  // The code step looked at the focus: its findings belong in a sentence about the focus only.
  const codeHere = opts.focus === undefined || opts.focus === about;
  const place = codeHere
    ? findings.find((f): f is FindingOf<'code_location'> => f.kind === 'code_location')
    : undefined;
  const suspect =
    codeHere && !load ? findings.find((f): f is FindingOf<'suspect_commit'> => f.kind === 'suspect_commit') : undefined;
  const impacts = findingsOf(findings, 'impact');
  const impact = root ? same(impacts) : impacts[0];
  const related = findings.find((f) => f.kind === 'related_tickets');
  const parts = [
    root ? `${root.title} [${root.id}]` : `No root cause stood out${service ? ` for ${service}` : ''}`,
    load ? `, under more load: ${load.title} [${load.id}]` : '',
    change ? ` after the ${change.title} [${change.id}]` : '',
    suspect ? `; the likeliest commit is ${suspect.title.replace(/^commit /, '')} [${suspect.id}]` : '',
    place ? `; ${place.title} [${place.id}]` : '',
    impact ? `; ${impact.title} [${impact.id}]` : '',
    related ? `; ${related.title} [${related.id}]` : '',
  ];
  return `${parts.join('')}.`;
}
