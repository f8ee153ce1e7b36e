// The citations explain and ask attach to each line: a `file:line` in an indexed repository,
// or the API query that shows the rows again (a sampled trace, an endpoint's RED, an error
// group, a commit, a problem, a ticket).
import type { Evidence } from '../../model/index.js';
import { refOf } from './facts.js';

const enc = encodeURIComponent;

export function codeEvidence(path: string, line: number, summary: string): Evidence {
  return { kind: 'code', summary, ref: refOf(path, line) };
}

export function traceEvidence(traceId: string, summary: string): Evidence {
  return { kind: 'span', summary, ref: traceId, query: `/api/spans?trace=${traceId}` };
}

export function logEvidence(traceId: string, summary: string): Evidence {
  return { kind: 'log', summary, ref: traceId, query: `/api/logs?trace=${traceId}` };
}

export function serviceEvidence(service: string, window: { since: string; until: string }, summary: string): Evidence {
  return {
    kind: 'endpoint',
    summary,
    ref: service,
    query: `/api/services?service=${enc(service)}&since=${enc(window.since)}&until=${enc(window.until)}`,
  };
}

export function errorEvidence(
  fingerprint: string,
  window: { since: string; until: string },
  summary: string,
): Evidence {
  return {
    kind: 'error_group',
    summary,
    ref: fingerprint,
    query: `/api/errors/${enc(fingerprint)}?since=${enc(window.since)}&until=${enc(window.until)}`,
  };
}

export function commitEvidence(repository: string, sha: string, summary: string): Evidence {
  return { kind: 'commit', summary, ref: sha, query: `/api/repos/${enc(repository)}/commits/${sha}` };
}

export function problemEvidence(p: { id: number; kind: string }, summary: string): Evidence {
  return {
    kind:
      p.kind === 'error' ? 'error_group' : p.kind === 'pattern' ? 'log_pattern' : p.kind === 'edge' ? 'edge' : 'ticket',
    summary,
    ref: String(p.id),
    query: `/api/problems/${p.id}`,
  };
}

export function ticketEvidence(id: number, summary: string): Evidence {
  return { kind: 'ticket', summary, ref: String(id), query: `/api/tickets/${id}` };
}
