// What to do next, each step citing the findings it rests on: roll back the focus's change, look
// at the code with its author and owners, or ask the customer what telemetry needs.
import type { Finding } from '../../model/index.js';
import { identityLabel } from '../identity-hash.js';
import type { CodeLocation, SuspectCommit } from './code-suspects.js';
import type { Anchor, CandidateChange } from './facts.js';
import type { FindingList } from './findings.js';

export interface NextStepInput {
  /** The focus's change, with its finding, when it has a deploy to roll back to. */
  change: (CandidateChange & { finding: Finding }) | null;
  /** The first code location and the first suspect commit found, with what they were made from. */
  place: { finding: Finding; location: CodeLocation } | null;
  suspect: { finding: Finding; commit: SuspectCommit } | null;
  anchor: Pick<Anchor, 'anonymous' | 'tickets'>;
}

/** Adds the next steps: a rollback, an inspection, a question for the customer (each when it applies). */
export function nextSteps(list: FindingList, s: NextStepInput): void {
  const { change, place, suspect } = s;
  if (change?.previous) {
    list.add({
      kind: 'next_step',
      title: `roll back ${change.deploy.service} to ${change.previous.version} (deploy ${change.previous.id})`,
      confidence: change.finding.confidence,
      hint: `${change.deploy.version} went out just before the onset [${change.finding.id}]${suspect ? ` and shipped the suspect commit [${suspect.finding.id}]` : ''}; rolling back is proposed, never run without approval`,
      evidence: [...change.finding.evidence, ...(suspect ? suspect.finding.evidence.slice(0, 1) : [])],
      data: {
        action: 'rollback',
        service: change.deploy.service,
        from: change.deploy.version,
        to: change.previous.version,
        deployId: change.previous.id,
      },
    });
  }
  if (place) {
    const loc = place.location;
    const owners = loc.owners;
    const author = suspect?.commit.authorName;
    const people = [...(author ? [`${author} (the suspect commit's author)`] : []), ...owners.map(identityLabel)];
    list.add({
      kind: 'next_step',
      title: `look at ${loc.symbol ?? loc.path} (${loc.path}:${loc.startLine ?? ''})${people.length ? ` with ${people.join(', ')}` : ''}`,
      confidence: place.finding.confidence,
      hint: `the code the evidence points at [${place.finding.id}]${suspect ? `; the suspect commit [${suspect.finding.id}] changed it` : ''}`,
      evidence: place.finding.evidence.slice(0, 2),
      data: { action: 'inspect', path: loc.path, symbol: loc.symbol ?? null, owners },
    });
  }
  if (s.anchor.anonymous && s.anchor.tickets.length) {
    list.add({
      kind: 'next_step',
      title:
        'ask the customer for their account id or login email, the time it happened (with time zone), and the page or request that failed',
      confidence: 0.8,
      hint: 'the ticket names no user, account, trace or route that telemetry holds, so its requests cannot be found',
      evidence: [
        {
          kind: 'ticket',
          summary: 'no user, account, trace, route or service mention linked to telemetry',
          ref: String(s.anchor.tickets[0]),
          query: `/api/tickets/${s.anchor.tickets[0]}`,
        },
      ],
      data: { action: 'ask', ask: ['account id or login email', 'time with time zone', 'page or request'] },
    });
  }
}
