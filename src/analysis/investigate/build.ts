// The whole result of an investigation, but its narrative, from what was read. The findings
// are numbered in a fixed order (the subject's; roots and the first root's signals; changes in
// candidate order; code locations and suspects; impact in impact order; next steps), and the
// gaps follow the steps (subject, signals, no significant signal, changes, code, impact).
import { INVESTIGATE_ALGORITHM, type Finding, type InvestigationResult } from '../../model/index.js';
import type { RankedService } from '../rca/index.js';
import { algorithmsUsed } from './algorithms-used.js';
import { TICKET_LOOK_BACK_MS } from './anchor.js';
import { CHANGE_LOOK_BACK_MS, candidateServices, focusOf } from './candidates.js';
import { type CodeFindings, codeFindings } from './code-findings.js';
import type { CandidateChange, InvestigationFacts } from './facts.js';
import { FindingList, changeFinding, rcaFindings } from './findings.js';
import { impactFindings } from './impact.js';
import { loadChangeFinding, loadJudgement, versionWords } from './load-change.js';
import { nextSteps } from './next-steps.js';
import { summaryOf } from './summary.js';
import { problemTicketsFinding, ticketFindings } from './ticket-findings.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function buildInvestigation(facts: InvestigationFacts): InvestigationResult {
  const { anchor, windows } = facts;
  const { incident, baseline } = windows;
  const since = iso(incident.startMs);
  const list = new FindingList();
  const gaps = [...facts.subjectGaps];

  // 1. The subject's own findings.
  if (facts.ticket) ticketFindings(list, facts.ticket, { lookBackMs: TICKET_LOOK_BACK_MS });
  if (facts.problem) problemTicketsFinding(list, facts.problem);

  // 2. The signals, the root and its symptoms.
  gaps.push(...facts.signalGaps);
  let roots: RankedService[] = [];
  if (facts.rca) {
    roots = rcaFindings(list, facts.rca, since, { stayOn: anchor.stayOn });
    const elsewhere = anchor.stayOn
      ? facts.rca.services
          .filter((s) => s.score > 0 && !roots.some((r) => r.service === s.service))
          .map((s) => s.service)
      : [];
    if (elsewhere.length > 0)
      gaps.push(
        `left out ${elsewhere.join(', ')}: ${elsewhere.length > 1 ? 'their' : 'its'} signals do not explain ${anchor.stayOn}'s trouble (another fault in the same window)`,
      );
    if (roots.every((r) => r.score === 0))
      gaps.push(
        `no signal changed significantly between the baseline and the window (${facts.rca.tests} tests)${roots.length ? '; the candidates are listed by their strongest test' : ''}`,
      );
  }

  // 2b. A load change behind the focus's trouble: named when it explains it, the deploy cleared.
  const candidates = candidateServices(roots, anchor);
  const focus = focusOf(candidates, anchor, roots);
  const load = loadJudgement(facts, focus);
  if (load?.explains) loadChangeFinding(list, load, since);
  else if (load?.version)
    gaps.push(
      `${load.service}'s incoming requests rose ${load.incoming.ratio.toFixed(1)}× too, but ${versionWords(load.version)}`,
    );

  // 3. What changed: each candidate's last deploy before the onset (not one a load change explains, its version no worse).
  const changes = new Map<string, CandidateChange & { finding: Finding }>();
  for (const service of candidates) {
    const judged = service === focus ? load : loadJudgement(facts, service);
    if (judged?.explains && judged.version) {
      gaps.push(
        `the deploy of ${service} ${judged.version.deploy.version} is not named as the cause: ${versionWords(judged.version)}`,
      );
      continue;
    }
    const finding = changeFinding(
      list,
      service,
      facts.deploys.get(service) ?? [],
      anchor.onsetMs ?? anchor.sinceMs,
      CHANGE_LOOK_BACK_MS,
    );
    const change = facts.changes.get(service);
    if (!finding || !change) {
      gaps.push(`no deploy of ${service} in the ${CHANGE_LOOK_BACK_MS / HOUR} h before the onset`);
      continue;
    }
    changes.set(service, { ...change, finding });
  }

  // 4–5. The code and the suspect commits, for the likeliest root.
  let code: CodeFindings = { locations: [], suspects: [] };
  if (facts.code) {
    gaps.push(...facts.code.gaps);
    code = codeFindings(list, facts.code, { service: focus });
  }

  // 6–7. Who is hurt, and how much it matters.
  const impact = impactFindings(list, facts.impact, { tickets: anchor.tickets.length, since });
  gaps.push(...impact.gaps);

  // 8. What to do next.
  nextSteps(list, {
    change: (focus ? changes.get(focus) : undefined) ?? null,
    place: code.locations[0] ?? null,
    suspect: code.suspects[0] ?? null,
    anchor,
  });

  return {
    algorithm: INVESTIGATE_ALGORITHM,
    algorithms: algorithmsUsed(facts),
    subject: facts.subject,
    window: {
      since,
      until: iso(incident.endMs),
      onset: iso(anchor.onsetMs ?? anchor.sinceMs),
      baselineSince: iso(baseline.startMs),
      baselineUntil: iso(baseline.endMs),
    },
    summary: summaryOf(list.findings, anchor.service, { focus }),
    findings: list.findings,
    priority: impact.priority,
    narrative: null,
    gaps,
  };
}
