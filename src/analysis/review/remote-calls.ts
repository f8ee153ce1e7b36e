// Calls to another service made once per item: a loop the change added or altered inside a
// changed symbol, whose body calls code that names a route another service serves in
// production (a string or template literal such as `${base}/products/${id}/price` matching the
// served `/products/:id/price`), directly or within a few calls. Read from the head revision's
// text at the level of lines: loop headers over a collection's items, their
// block by braces (or indentation for Python), the names called in it resolved through
// sim-change's call graph.
import { type ServicePath, serviceOf } from '../code/index.js';
import {
  CodeGraph,
  type FileCode,
  type UnitRef,
  callerIndex,
  isTestPath,
  unitId,
  walkCallers,
} from '../simulate/change/index.js';

export interface RemoteLoopCall {
  /** The loop's first line at head. */
  line: number;
  /** The name called in the loop that leads to the remote call. */
  calls: string;
  /** The endpoint of another service the call reaches, as production names it. */
  service: string;
  endpoint: string;
}

export interface RemoteCallInput {
  files: ReadonlyMap<string, FileCode>;
  paths: ReadonlySet<string>;
  servicePaths: ReadonlyArray<Pick<ServicePath, 'pathPrefix' | 'service'>>;
  /** The head text of the loaded files. */
  texts: ReadonlyMap<string, string>;
  changed: ReadonlyArray<{ id: string; path: string; key: string }>;
  /** Lines added or changed at head, per path. */
  hunks: Readonly<Record<string, ReadonlyArray<{ startLine: number; endLine: number }>>>;
  /** Production's endpoints: what a literal may name. */
  endpoints: ReadonlyArray<{ service: string; endpoint: string }>;
}

/** Calls made within a few steps of the loop still count (a helper that wraps the HTTP client). */
const MAX_CALL_DEPTH = 3;
/**
 * Loops over the items of a collection — `for (const x of xs)`, `for (T x : xs)`, `for _, x :=
 * range xs`, `for x in xs:`, `xs.map(…)` and kin — not counting or retry loops, which repeat a
 * call for another reason than the items a request carries.
 */
const LOOP =
  /\bfor\s*(await\s*)?\(\s*(const|let|var)?\s*[^;()]*\b(of|in)\b[^;]*\)|\bfor\s*\([^;()]*\w\s*:\s*[^;]*\)|\bfor\b[^{]*\brange\b|^\s*(async\s+)?for\s+.+\s+in\s+.+:\s*$|\.(forEach|map|flatMap|reduce|filter|some|every)\s*\(/;
const CALL = /([A-Za-z_$][\w$]*)\s*\(/g;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'await', 'typeof', 'new']);
const LITERAL = /(['"`])((?:\\.|(?!\1)[^\\])*?)\1/g;

/** A route with its parameters as `:p`: `/products/:id/price`, `/products/{id}/price` → `/products/:p/price`. */
function routeShape(path: string): string | null {
  const p = path
    .replace(/^[A-Z]+\s+(?=\/)/, '')
    .replace(/[?#].*$/, '')
    .split('/')
    .map((s) => (/^(:.+|\{.*\}|<.*>|\*)$/.test(s) ? ':p' : s))
    .join('/');
  // A bare `/` or only parameters says nothing about which route is meant.
  return p.startsWith('/') && p.split('/').some((s) => s !== '' && s !== ':p') ? p.replace(/\/+$/, '') : null;
}

/** The route shapes string and template literals on these lines name (`${…}` read as a parameter). */
function literalRoutes(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(LITERAL)) {
      const text = m[2]!.replace(/\$\{[^}]*\}/g, ':p');
      const at = text.search(/\/[A-Za-z_]/);
      if (at < 0) continue;
      const shape = routeShape(text.slice(at));
      if (shape) out.push(shape);
    }
  }
  return out;
}

/** The lines (0-based, inclusive) of the block a loop header on line `i` opens. */
function loopBlock(lines: readonly string[], i: number, python: boolean): [number, number] {
  if (python) {
    const indent = (s: string) => s.length - s.trimStart().length;
    let end = i;
    for (let j = i + 1; j < lines.length && (lines[j]!.trim() === '' || indent(lines[j]!) > indent(lines[i]!)); j++)
      end = j;
    return [i, end];
  }
  let depth = 0;
  let opened = false;
  for (let j = i; j < lines.length; j++) {
    for (const ch of lines[j]!) {
      if (ch === '{' || ch === '(') {
        depth++;
        opened = true;
      } else if (ch === '}' || ch === ')') depth--;
    }
    if (opened && depth <= 0) return [i, j];
  }
  return [i, lines.length - 1];
}

/** Per changed symbol id, the remote calls its changed loops make once per item. */
export function remoteCallsInLoops(input: RemoteCallInput): Map<string, RemoteLoopCall[]> {
  const scope = (p: string) => serviceOf(p, input.servicePaths);
  const graph = new CodeGraph(input.files, input.paths, scope);
  const served = new Map<string, Array<{ service: string; endpoint: string }>>();
  for (const e of input.endpoints) {
    const shape = routeShape(e.endpoint);
    if (shape) served.set(shape, [...(served.get(shape) ?? []), e]);
  }
  const remoteOf = (path: string, lines: readonly string[]) => {
    const own = scope(path);
    return literalRoutes(lines).flatMap((r) => (served.get(r) ?? []).filter((e) => e.service !== own));
  };

  // Units whose own lines name another service's route, then the units that call them.
  const direct = new Map<string, Array<{ service: string; endpoint: string }>>();
  for (const f of input.files.values()) {
    if (isTestPath(f.path)) continue;
    const text = input.texts.get(f.path)?.split('\n');
    if (!text) continue;
    f.units.forEach((u, i) => {
      if (i === 0 || u.startLine <= 0) return;
      const hits = remoteOf(f.path, text.slice(u.startLine - 1, u.endLine));
      if (hits.length) direct.set(unitId({ path: f.path, unit: i }), hits);
    });
  }
  const starts: UnitRef[] = [...direct.keys()].map((k) => {
    const [path, unit] = k.split('\u0000');
    return { path: path!, unit: Number(unit) };
  });
  const walk = walkCallers(graph, starts, { callers: callerIndex(graph), maxDepth: MAX_CALL_DEPTH });
  const reaches = (id: string): Array<{ service: string; endpoint: string }> => {
    for (let r = walk.reached.get(id); r; r = r.via ? walk.reached.get(unitId(r.via)) : undefined) {
      const hit = direct.get(unitId(r.at));
      if (hit) return hit;
    }
    return [];
  };

  const out = new Map<string, RemoteLoopCall[]>();
  for (const c of input.changed) {
    const f = input.files.get(c.path);
    const text = input.texts.get(c.path)?.split('\n');
    const index = f?.units.findIndex((u) => u.key === c.key) ?? -1;
    if (!f || !text || index <= 0) continue;
    const u = f.units[index]!;
    const hunks = input.hunks[c.path] ?? [];
    const found: RemoteLoopCall[] = [];
    for (let i = u.startLine - 1; i < u.endLine && i < text.length; i++) {
      const header = LOOP.exec(text[i]!);
      if (!header) continue;
      // What stands before the loop on its first line (`post(url, { ids: xs.map(…) })`) is not in it.
      const lines = [...text.slice(0, i), text[i]!.slice(header.index), ...text.slice(i + 1)];
      const [from, to] = loopBlock(lines, i, f.language === 'python');
      if (!hunks.some((h) => h.startLine - 1 <= to && h.endLine - 1 >= from)) continue;
      const block = lines.slice(from, to + 1);
      for (const e of remoteOf(c.path, block)) found.push({ line: from + 1, calls: '(in the loop)', ...e });
      const names = new Set([...block.join('\n').matchAll(CALL)].map((m) => m[1]!).filter((n) => !KEYWORDS.has(n)));
      for (const ref of f.refs) {
        if (ref.unit !== index || !names.has(ref.name)) continue;
        for (const t of graph.resolve(f, ref))
          for (const e of reaches(unitId(t))) found.push({ line: from + 1, calls: ref.name, ...e });
      }
    }
    const unique = new Map(found.map((x) => [`${x.line} ${x.service} ${x.endpoint}`, x]));
    if (unique.size) out.set(c.id, [...unique.values()]);
  }
  return out;
}
