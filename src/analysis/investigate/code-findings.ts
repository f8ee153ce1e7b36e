// The code step's findings: the code locations the evidence points at and the deploy's commits
// ranked as suspects, each with the evidence that placed it there.
import type { Evidence, Finding } from '../../model/index.js';
import { identityLabel } from '../identity-hash.js';
import type { CodeLocation, SuspectCommit } from './code-suspects.js';
import type { CodeStepResult } from './facts.js';
import type { FindingList } from './findings.js';

/** The findings made, each with what it was made from (what the next steps read, without reading `data`). */
export interface CodeFindings {
  locations: Array<{ finding: Finding; location: CodeLocation }>;
  suspects: Array<{ finding: Finding; commit: SuspectCommit }>;
}

/**
 * The first `maxLocations` (3) code locations, then up to `maxSuspects` (3) suspect commits (past
 * the first, only those scoring above 0.05); `service` names the range in the suspects' hints.
 */
export function codeFindings(
  list: FindingList,
  code: CodeStepResult,
  opts: { service: string | null; maxLocations?: number; maxSuspects?: number },
): CodeFindings {
  const service = opts.service;
  const out: CodeFindings = { locations: [], suspects: [] };
  for (const [i, loc] of code.locations.slice(0, opts.maxLocations ?? 3).entries()) {
    const where = `${loc.path}${loc.startLine ? `:${loc.startLine}` : ''}`;
    const evidence: Evidence[] = [
      {
        kind: 'code',
        summary: `${loc.symbol ? `${loc.symbol} in ` : ''}${where} (${loc.repository})${loc.owners.length ? `, owned by ${loc.owners.map(identityLabel).join(', ')}` : ''}`,
        ref: `${loc.repository}:${where}`,
        query: loc.symbol
          ? `/api/symbols?name=${encodeURIComponent(loc.symbol)}&repository=${encodeURIComponent(loc.repository)}`
          : undefined,
      },
    ];
    for (const s of loc.sources.slice(0, 4)) {
      if (s.kind === 'frame')
        evidence.push({
          kind: 'error_group',
          summary: `frame ${s.position + 1}: ${s.frame}`,
          ref: s.errorGroup,
          query: `/api/errors/${s.errorGroup}`,
        });
      if (s.kind === 'log_callsite')
        evidence.push({
          kind: 'log_pattern',
          summary: `logs "${s.template}"`,
          ref: s.pattern,
          query: `/api/patterns/${encodeURIComponent(s.pattern)}`,
        });
      if (s.kind === 'route')
        evidence.push({ kind: 'endpoint', summary: `${s.route} serves ${s.endpoint}`, ref: s.endpoint });
      if (s.kind === 'changed')
        evidence.push({
          kind: 'commit',
          summary: `${s.lines} lines last changed by ${s.sha.slice(0, 10)}`,
          ref: s.sha,
        });
      if (s.kind === 'suspect')
        evidence.push({
          kind: 'commit',
          summary: `changed by the likeliest suspect ${s.sha.slice(0, 10)}`,
          ref: s.sha,
        });
    }
    const finding = list.add({
      kind: 'code_location',
      title: `${i === 0 ? 'look at ' : ''}${loc.symbol ?? loc.path}${loc.symbol ? ` in ${where}` : ''}`,
      confidence: Math.min(0.95, loc.score / (loc.score + 0.5)),
      hint: `${loc.hint} (score ${loc.score}: frame 1/(1+position), log call site 0.6, route 0.4, changed 0.3+0.2·share, by the top suspect 0.4·its confidence, text 0.3·similarity)`,
      evidence,
      data: { ...loc },
    });
    out.locations.push({ finding, location: loc });
  }
  const range = code.range;
  for (const s of code.suspects.slice(0, opts.maxSuspects ?? 3)) {
    if (s.score <= 0.05 && code.suspects.length > 1) break;
    const evidence: Evidence[] = [
      {
        kind: 'commit',
        summary: `${s.sha.slice(0, 10)} ${s.subject} — ${s.authorName ?? 'unknown author'}, ${s.committedAt ?? ''}; ${s.files.length} files: ${s.files.slice(0, 4).join(', ')}`,
        ref: s.sha,
        query: range?.repository
          ? `/api/repos/${encodeURIComponent(range.repository.name)}/commits?limit=50`
          : undefined,
      },
    ];
    if (s.blame.length) {
      evidence.push({
        kind: 'blame',
        summary: `${s.blame.length} lines of the localized code last changed by it, e.g. ${s.blame[0]!.path}:${s.blame[0]!.line}: ${s.blame[0]!.text.trim().slice(0, 80)}`,
        ref: `${s.blame[0]!.path}:${s.blame[0]!.line}`,
        query: `/api/blame?repository=${encodeURIComponent(s.blame[0]!.repository)}&path=${encodeURIComponent(s.blame[0]!.path)}&start=${s.blame[0]!.line}&end=${s.blame.at(-1)!.line}`,
        rows: s.blame.map((b) => ({ path: b.path, line: b.line, text: b.text })),
      });
    }
    const finding = list.add({
      kind: 'suspect_commit',
      title: `commit ${s.sha.slice(0, 10)} "${s.subject}" by ${s.authorName ?? 'unknown'}`,
      confidence: s.confidence,
      hint: `${s.hint}${s.owners.length ? `; owners ${s.owners.map(identityLabel).join(', ')}` : ''} (score ${s.score}, ${range?.commits.length ?? 0} commits in ${service ?? ''} ${range?.base?.slice(0, 10) ?? '?'}..${range?.head?.slice(0, 10) ?? '?'})`,
      evidence,
      data: { ...s },
    });
    out.suspects.push({ finding, commit: s });
  }
  return out;
}
