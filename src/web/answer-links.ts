// Where an explain or ask citation leads in the UI: a `file:line` opens the code view at that
// line, an API query opens the page that shows the same rows (a trace, the service map, an error
// group, a commit, a problem, a ticket); a query no page shows is linked as the API answer itself.
// Pure (no React), so node tests read it as the browser does.
import type { Evidence, ExplainRefusal, ExplainTarget } from '../model/index.js';

/** A citation's destination: a UI page (`page`), or the API's JSON (a plain link). */
export interface CitationLink {
  to: string;
  page: boolean;
}

/** `services/cart/src/server.js:42` → its path and line; null when it names no line. */
export function parseRef(ref: string): { path: string; line: number } | null {
  const m = /^(.+):(\d+)$/.exec(ref);
  if (!m?.[1] || !m[2]) return null;
  const line = Number(m[2]);
  return line >= 1 ? { path: m[1], line } : null;
}

/** The code view's address for a file (and a line), in one repository or whichever holds the path. */
export function codeLink(
  path: string,
  opts: { line?: number | null; end?: number | null; repository?: string | null } = {},
): string {
  const p = new URLSearchParams();
  if (opts.repository) p.set('repo', opts.repository);
  p.set('path', path);
  if (opts.line) p.set('line', String(opts.line));
  if (opts.end && opts.line && opts.end > opts.line) p.set('end', String(opts.end));
  return `/code?${p}`;
}

/** The address of the code view for a target that lives in code, or null (a service). */
export function targetCodeLink(t: ExplainTarget): string | null {
  if (t.path === null) return null;
  return codeLink(t.path, { line: t.startLine, end: t.endLine, repository: t.repository });
}

function windowOf(q: URLSearchParams): string {
  const p = new URLSearchParams();
  for (const k of ['since', 'until']) {
    const v = q.get(k);
    if (v) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The UI page that shows an API query's rows, or null when none does. */
export function pageOfQuery(query: string): string | null {
  const u = new URL(query, 'http://orrery.invalid');
  const q = u.searchParams;
  const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api') return null;
  const [, head, a, b, c] = parts;
  const enc = encodeURIComponent;
  if ((head === 'spans' || head === 'logs') && parts.length === 2 && q.get('trace'))
    return `/traces/${enc(q.get('trace') ?? '')}`;
  if (head === 'services' && parts.length === 2 && q.get('service'))
    return `/map?highlight=${enc(q.get('service') ?? '')}`;
  if (head === 'errors' && a && parts.length === 3) return `/errors/${enc(a)}${windowOf(q)}`;
  if (head === 'problems' && a && parts.length === 3) return `/problems/${enc(a)}`;
  if (head === 'tickets' && a && parts.length === 3) return `/tickets/${enc(a)}`;
  if (head === 'repos' && a && b === 'commits' && c && parts.length === 5) return `/commits/${enc(a)}/${enc(c)}`;
  if (head === 'repos' && a && b === 'files' && parts.length === 4 && q.get('path'))
    return codeLink(q.get('path') ?? '', { repository: a });
  return null;
}

/**
 * Where a citation leads: a `file:line` of code to the code view (in `repository` when the
 * answer knows it), a query to its page, else the query itself; null when it names neither.
 */
export function citationLink(e: Evidence, repository: string | null = null): CitationLink | null {
  if (e.kind === 'code' && e.ref && !e.query) {
    const at = parseRef(e.ref);
    if (at) return { to: codeLink(at.path, { line: at.line, repository }), page: true };
  }
  if (e.query) {
    const page = pageOfQuery(e.query);
    return page ? { to: page, page: true } : { to: e.query, page: false };
  }
  return null;
}

/** What a citation's link says: the `file:line`, else the kind of rows and their identity. */
export function citationLabel(e: Evidence): string {
  if (e.kind === 'code' && e.ref) return e.ref;
  if ((e.kind === 'span' || e.kind === 'log') && e.ref) return `trace ${e.ref.slice(0, 12)}`;
  if (e.kind === 'commit' && e.ref) return `commit ${e.ref.slice(0, 8)}`;
  if (e.ref) return `${e.kind.replace('_', ' ')} ${e.ref.length > 24 ? `${e.ref.slice(0, 24)}…` : e.ref}`;
  return e.kind.replace('_', ' ');
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** GET /api/explain's 400 body as its typed refusal, or null when the body is another error. */
export function explainRefusal(body: unknown): ExplainRefusal | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Partial<Record<keyof ExplainRefusal, unknown>>;
  if (typeof b.message !== 'string' || !isStrings(b.suggestions) || !Array.isArray(b.candidates)) return null;
  const candidates = b.candidates.filter(
    (c): c is ExplainTarget =>
      typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string',
  );
  return {
    statusCode: 400,
    error: typeof b.error === 'string' ? b.error : 'Bad Request',
    message: b.message,
    suggestions: b.suggestions,
    candidates,
  };
}

/** The current address with the Explain drawer opened on `target` (null: closed). */
export function withExplain(search: string, target: string | null): string {
  const p = new URLSearchParams(search);
  if (target === null) p.delete('explain');
  else p.set('explain', target);
  const s = p.toString();
  return s ? `?${s}` : '';
}
