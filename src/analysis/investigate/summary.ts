// The one-sentence summary of a run, citing the first finding of each kind it names.
import type { Finding } from '../../model/index.js';

/** The root (or that none stood out for `service`), its change, suspect, code, impact and related tickets, with their ids. */
export function summaryOf(findings: readonly Finding[], service: string | null): string {
  const cite = (kind: Finding['kind']) => findings.find((f) => f.kind === kind);
  const root = cite('root_cause_service');
  const change = cite('change');
  const place = cite('code_location');
  const suspect = cite('suspect_commit');
  const impact = cite('impact');
  const related = cite('related_tickets');
  const parts = [
    root ? `${root.title} [${root.id}]` : `No root cause stood out${service ? ` for ${service}` : ''}`,
    change ? ` after the ${change.title} [${change.id}]` : '',
    suspect ? `; the likeliest commit is ${suspect.title.replace(/^commit /, '')} [${suspect.id}]` : '',
    place ? `; ${place.title} [${place.id}]` : '',
    impact ? `; ${impact.title} [${impact.id}]` : '',
    related ? `; ${related.title} [${related.id}]` : '',
  ];
  return `${parts.join('')}.`;
}
