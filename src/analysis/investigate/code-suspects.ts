// Steps 4 and 5 of an investigation: where in the code, and which commit. Telemetry names
// code in three ways — a stack frame names a file and a function, a mined log template names
// the call that logs it, an endpoint names its route handler — and the deploy's commit range
// names the functions it changed. Each hint scores the function (or file) it lands on; a
// function that several hints agree on ranks first. The commits of the range are then ranked
// by whether their lines are in the localized code (blame), whether they touch its files or
// the service, and what kind of files they change. Pure: hints, files and commits in.

import { TupleMap, TupleSet } from '../tuple-map.js';

/** A function or class in an indexed file. */
export interface CodeSymbol {
  name: string;
  parent: string | null;
  startLine: number;
  endLine: number;
}

export interface CodeFileFacts {
  repository: string;
  path: string;
  owners: readonly string[];
  symbols: readonly CodeSymbol[];
}

/** Why a hint points at a place, with what it weighs. */
export type LocationSource =
  | { kind: 'frame'; position: number; frame: string; errorGroup: string }
  | { kind: 'log_callsite'; template: string; pattern: string }
  | { kind: 'route'; route: string; endpoint: string }
  | { kind: 'changed'; sha: string; lines: number; share: number }
  | { kind: 'loop_call'; sha: string; line: number; edge: string }
  | { kind: 'suspect'; sha: string; confidence: number }
  | { kind: 'text'; score: number; terms: readonly string[] };

export interface LocationHint {
  repository: string;
  path: string;
  /** The line the hint names, when it names one. */
  line: number | null;
  /** The function it names (`Class.method` or a bare name), when it names one. */
  symbol: string | null;
  source: LocationSource;
}

export interface CodeLocation {
  repository: string;
  path: string;
  /** Qualified name of the function or class; null for the file as a whole. */
  symbol: string | null;
  startLine: number | null;
  endLine: number | null;
  owners: readonly string[];
  score: number;
  sources: LocationSource[];
  hint: string;
}

/**
 * What each kind of hint weighs. An innermost in-app frame is the strongest pointer (the line
 * that threw); a log call site or a route handler names the code that ran; a change in the
 * deploy names code that is new, and more so when the likeliest suspect commit made it (a
 * second pass, once the commits are ranked). Text retrieval is the weakest. Frames further
 * out weigh 1/(1+position).
 */
export const LOCATION_WEIGHTS = {
  frame: 1,
  log_callsite: 0.6,
  route: 0.4,
  changed: 0.3,
  changedShare: 0.2,
  loop_call: 0.4,
  suspect: 0.4,
  text: 0.3,
} as const;

function weightOf(s: LocationSource): number {
  switch (s.kind) {
    case 'frame':
      return LOCATION_WEIGHTS.frame / (1 + s.position);
    case 'log_callsite':
      return LOCATION_WEIGHTS.log_callsite;
    case 'route':
      return LOCATION_WEIGHTS.route;
    case 'changed':
      return LOCATION_WEIGHTS.changed + LOCATION_WEIGHTS.changedShare * s.share;
    case 'loop_call':
      return LOCATION_WEIGHTS.loop_call;
    case 'suspect':
      return LOCATION_WEIGHTS.suspect * s.confidence;
    case 'text':
      return LOCATION_WEIGHTS.text * s.score;
  }
}

function describe(s: LocationSource): string {
  switch (s.kind) {
    case 'frame':
      return `stack frame ${s.position + 1} (in-app) of error group ${s.errorGroup.slice(0, 12)}: ${s.frame}`;
    case 'log_callsite':
      return `logs the pattern "${s.template}"`;
    case 'route':
      return `handles ${s.route} (endpoint ${s.endpoint})`;
    case 'changed':
      return `${s.lines} of its lines changed by ${s.sha.slice(0, 10)}`;
    case 'loop_call':
      return `line ${s.line}, changed by ${s.sha.slice(0, 10)}, makes a call inside a loop while ${s.edge} calls per request rose (an N+1)`;
    case 'suspect':
      return `changed by the likeliest suspect commit ${s.sha.slice(0, 10)} (confidence ${s.confidence.toFixed(2)})`;
    case 'text':
      return `matches the ticket's words (${s.terms.slice(0, 4).join(', ')})`;
  }
}

export function qualifiedName(s: CodeSymbol): string {
  return s.parent ? `${s.parent}.${s.name}` : s.name;
}

function normalizePath(p: string): string[] {
  return p
    .replace(/^file:\/\//, '')
    .replaceAll('\\', '/')
    .split('/')
    .filter((x) => x && x !== '.');
}

/**
 * The indexed file a stack frame's file names: the candidate sharing the longest run of
 * trailing path segments (at least the file name). Ties go to the shorter path; null when
 * no candidate has the same file name.
 */
export function matchFramePath(frameFile: string, candidates: readonly string[]): string | null {
  const want = normalizePath(frameFile);
  if (want.length === 0) return null;
  let best: string | null = null;
  let bestRun = 0;
  for (const c of candidates) {
    const have = normalizePath(c);
    let run = 0;
    while (run < want.length && run < have.length && want[want.length - 1 - run] === have[have.length - 1 - run]) run++;
    if (run === 0) continue;
    if (run > bestRun || (run === bestRun && best !== null && c.length < best.length)) {
      best = c;
      bestRun = run;
    }
  }
  return best;
}

/** The innermost symbol whose lines hold `line`. */
export function enclosingSymbol(symbols: readonly CodeSymbol[], line: number): CodeSymbol | null {
  let best: CodeSymbol | null = null;
  for (const s of symbols) {
    if (line < s.startLine || line > s.endLine) continue;
    if (!best || s.endLine - s.startLine < best.endLine - best.startLine) best = s;
  }
  return best;
}

/**
 * The symbol a hint lands on. A named function is looked up by name first (the deployed
 * version's line numbers may differ from the indexed head), nearest the line when several
 * share the name; otherwise the innermost symbol holding the line.
 */
export function symbolFor(file: CodeFileFacts, name: string | null, line: number | null): CodeSymbol | null {
  if (name) {
    const last = name.split('.').pop()!;
    const byName = file.symbols.filter((s) => qualifiedName(s) === name || s.name === last);
    if (byName.length) {
      if (line === null) return byName[0]!;
      return byName.reduce((a, b) => (Math.abs(b.startLine - line) < Math.abs(a.startLine - line) ? b : a));
    }
  }
  return line === null ? null : enclosingSymbol(file.symbols, line);
}

/** Indexed files by [repository, path]. */
function filesByPath(files: readonly CodeFileFacts[]): TupleMap<[string, string], CodeFileFacts> {
  const byPath = new TupleMap<[string, string], CodeFileFacts>();
  for (const f of files) byPath.set([f.repository, f.path], f);
  return byPath;
}

/** Places ranked by the summed weight of the hints that land on them, best first. */
export function rankCodeLocations(
  hints: readonly LocationHint[],
  files: readonly CodeFileFacts[],
  limit = 5,
): CodeLocation[] {
  const byPath = filesByPath(files);
  const places = new TupleMap<[string, string, string], CodeLocation>();
  for (const h of hints) {
    const file = byPath.get([h.repository, h.path]);
    const sym = file ? symbolFor(file, h.symbol, h.line) : null;
    const key: [string, string, string] = [h.repository, h.path, sym ? `${qualifiedName(sym)}@${sym.startLine}` : ''];
    let place = places.get(key);
    if (!place) {
      place = {
        repository: h.repository,
        path: h.path,
        symbol: sym ? qualifiedName(sym) : null,
        startLine: sym?.startLine ?? h.line,
        endLine: sym?.endLine ?? h.line,
        owners: file?.owners ?? [],
        score: 0,
        sources: [],
        hint: '',
      };
      places.set(key, place);
    }
    // One frame per error group counts once per place: a recursive function is not twice as guilty.
    const dup = place.sources.some((s) => JSON.stringify(s) === JSON.stringify(h.source));
    if (dup) continue;
    place.sources.push(h.source);
    place.score += weightOf(h.source);
  }
  const ranked = [...places.values()].sort(
    (a, b) => b.score - a.score || a.path.localeCompare(b.path) || (a.startLine ?? 0) - (b.startLine ?? 0),
  );
  for (const p of ranked) {
    p.score = Number(p.score.toFixed(3));
    p.hint = p.sources
      .slice()
      .sort((a, b) => weightOf(b) - weightOf(a))
      .map(describe)
      .join('; ');
  }
  return ranked.slice(0, limit);
}

// ---------------------------------------------------------------------------------------
// Suspect commits

export interface CommitFacts {
  sha: string;
  authorName: string | null;
  committedAt: string | null;
  message: string;
  files: ReadonlyArray<{ path: string; additions: number | null; deletions: number | null }>;
}

/** A line at the indexed head, blamed to the commit that last changed it. */
export interface BlamedLine {
  repository: string;
  path: string;
  line: number;
  sha: string;
  text: string;
}

export interface SuspectCommit {
  sha: string;
  /** The repository the commit is in (the deploy's). */
  repository: string;
  authorName: string | null;
  committedAt: string | null;
  subject: string;
  score: number;
  confidence: number;
  /** The reasons, in words. */
  hint: string;
  /** Lines of the localized code this commit last changed. */
  blame: BlamedLine[];
  /** The code owners of the localized files it touches, else of every file it touches. */
  owners: string[];
  files: string[];
}

const DOC_FILE =
  /(^|\/)(docs?|documentation)\/|(^|\/)(readme|changelog|license|contributing|authors|notice)(\.[a-z]+)?$|\.(md|mdx|rst|txt|adoc)$/i;
const TEST_FILE =
  /(^|\/)(tests?|__tests__|spec|specs)\/|[._-](test|spec)\.[a-z0-9]+$|_test\.go$|(^|\/)test_[^/]+\.py$/i;

/** 'docs' when every file is documentation, 'tests' when every file is a test, else 'code'. */
export function changeKind(paths: readonly string[]): 'docs' | 'tests' | 'code' {
  if (paths.length && paths.every((p) => DOC_FILE.test(p))) return 'docs';
  if (paths.length && paths.every((p) => TEST_FILE.test(p) || DOC_FILE.test(p))) return 'tests';
  return 'code';
}

/** True when a path is under the service's folder, or names the service as a path segment or file name (`deploy/k8s/cart.yaml`). */
export function pathConcernsService(path: string, service: string, pathPrefix: string | null): boolean {
  if (pathPrefix && path.startsWith(pathPrefix)) return true;
  const s = service.toLowerCase();
  return path
    .toLowerCase()
    .split('/')
    .some((seg) => seg === s || seg.replace(/\.[^.]+$/, '') === s);
}

export const SUSPECT_WEIGHTS = { blame: 1, file: 0.4, service: 0.3, base: 0.05, docs: 0.1, tests: 0.4 } as const;

export interface SuspectInput {
  service: string;
  /** The service's folder in its repository ('' or null: the whole repository). */
  pathPrefix: string | null;
  repository: string;
  commits: readonly CommitFacts[];
  locations: readonly CodeLocation[];
  /** Blame of the localized code (and any other lines looked at), at the indexed head. */
  blame: readonly BlamedLine[];
  /** path → code owners, for the files the commits touch. */
  owners: ReadonlyMap<string, readonly string[]>;
}

/**
 * score = (1·[share of the localized code's score whose lines it last changed]
 *        + 0.4·[touches a localized file] + 0.3·[touches the service] + 0.05)
 *        × (0.1 if it only changes docs — below any code change —, 0.4 if only tests, else 1)
 * confidence = its share of the range's total score.
 */
export function rankSuspectCommits(input: SuspectInput, limit = 5): SuspectCommit[] {
  const { locations, commits } = input;
  const top = locations[0]?.score ?? 1;
  const located = locations.filter((l) => l.repository === input.repository);
  const locatedFiles = new Set(located.map((l) => l.path));
  const scored = commits.map((c) => {
    const paths = c.files.map((f) => f.path);
    const mine = input.blame.filter((b) => b.sha === c.sha && b.repository === input.repository);
    const hitLocations = located.filter((l) =>
      mine.some(
        (b) =>
          b.path === l.path && l.startLine !== null && b.line >= l.startLine && b.line <= (l.endLine ?? l.startLine),
      ),
    );
    const blameShare = Math.min(1, hitLocations.reduce((a, l) => a + l.score, 0) / top);
    const touchesLocated = paths.filter((p) => locatedFiles.has(p));
    const touchesService = paths.some((p) => pathConcernsService(p, input.service, input.pathPrefix));
    const kind = changeKind(paths);
    const nature = kind === 'docs' ? SUSPECT_WEIGHTS.docs : kind === 'tests' ? SUSPECT_WEIGHTS.tests : 1;
    const score =
      (SUSPECT_WEIGHTS.blame * blameShare +
        (touchesLocated.length ? SUSPECT_WEIGHTS.file : 0) +
        (touchesService ? SUSPECT_WEIGHTS.service : 0) +
        SUSPECT_WEIGHTS.base) *
      nature;
    const reasons = [
      hitLocations.length ? `last changed lines of ${hitLocations.map((l) => l.symbol ?? l.path).join(', ')}` : null,
      touchesLocated.length ? `touches ${touchesLocated.join(', ')}` : null,
      touchesService ? `touches ${input.service}` : `does not touch ${input.service}`,
      kind !== 'code' ? `changes only ${kind}` : null,
    ].filter(Boolean);
    const ownerSource = touchesLocated.length ? touchesLocated : paths;
    const owners = [...new Set(ownerSource.flatMap((p) => input.owners.get(p) ?? []))];
    const blameInLocations = mine.filter((b) =>
      hitLocations.some((l) => l.path === b.path && b.line >= (l.startLine ?? 0) && b.line <= (l.endLine ?? 0)),
    );
    return {
      sha: c.sha,
      repository: input.repository,
      authorName: c.authorName,
      committedAt: c.committedAt,
      subject: c.message.split('\n')[0] ?? '',
      score,
      confidence: 0,
      hint: reasons.join('; '),
      blame: blameInLocations.slice(0, 8),
      owners,
      files: paths,
    };
  });
  const total = scored.reduce((a, s) => a + s.score, 0) || 1;
  for (const s of scored) {
    s.confidence = Number((s.score / total).toFixed(3));
    s.score = Number(s.score.toFixed(3));
  }
  return scored
    .sort((a, b) => b.score - a.score || (b.committedAt ?? '').localeCompare(a.committedAt ?? ''))
    .slice(0, limit);
}

/**
 * 'changed' hints from blame: for each commit, the symbols holding lines it last changed,
 * with the share of those lines that fall in each symbol.
 */
export function changedHints(
  blame: readonly BlamedLine[],
  files: readonly CodeFileFacts[],
  shas: ReadonlySet<string>,
): LocationHint[] {
  const byPath = filesByPath(files);
  const perCommit = new Map<
    string,
    TupleMap<[string, string, number], { file: CodeFileFacts; sym: CodeSymbol; lines: number }>
  >();
  const totals = new Map<string, number>();
  for (const b of blame) {
    if (!shas.has(b.sha)) continue;
    const file = byPath.get([b.repository, b.path]);
    if (!file) continue;
    totals.set(b.sha, (totals.get(b.sha) ?? 0) + 1);
    const sym = enclosingSymbol(file.symbols, b.line);
    if (!sym) continue;
    let m = perCommit.get(b.sha);
    if (!m) {
      m = new TupleMap();
      perCommit.set(b.sha, m);
    }
    const e = m.upsert([b.path, qualifiedName(sym), sym.startLine], () => ({ file, sym, lines: 0 }));
    e.lines++;
  }
  const hints: LocationHint[] = [];
  for (const [sha, m] of perCommit) {
    const total = totals.get(sha) ?? 1;
    for (const e of m.values()) {
      hints.push({
        repository: e.file.repository,
        path: e.file.path,
        line: e.sym.startLine,
        symbol: qualifiedName(e.sym),
        source: { kind: 'changed', sha, lines: e.lines, share: Number((e.lines / total).toFixed(3)) },
      });
    }
  }
  return hints;
}

// ---------------------------------------------------------------------------------------
// Calls in loops (for a fan-out regression)

/** A call on a line: a name followed by "(" that is not a control keyword. */
const CALL = /(?<![\w$])(?!(?:if|for|while|switch|catch|function|return|elif|with|foreach)\b)[A-Za-z_$][\w$]*\s*\(/;
/** A line that opens a loop: a loop statement, or an iteration callback. */
const LOOP = /^\s*(?:for|while|do|loop|foreach)\b|\bfor\s*[(\w]|\.(?:forEach|map|flatMap|each|reduce|for_each)\s*\(/;

function indentOf(text: string): number {
  const m = /^[ \t]*/.exec(text)!;
  return m[0].replaceAll('\t', '    ').length;
}

/**
 * The functions where a commit of the range changed a line that makes a call inside a loop of
 * that function (the loop found by indentation: the nearest less-indented line above that
 * opens one), for a regression where a caller's calls per request to `edge` rose: an N+1 is
 * a call repeated per item, so the loop holding the new call is the place, not the function
 * it calls. Reads the blamed text of whole files (every line, not only the range's).
 */
export function loopCallHints(
  blame: readonly BlamedLine[],
  files: readonly CodeFileFacts[],
  shas: ReadonlySet<string>,
  edge: string,
): LocationHint[] {
  const byPath = filesByPath(files);
  const lines = new TupleMap<[string, string], Map<number, BlamedLine>>();
  for (const b of blame) lines.upsert([b.repository, b.path], () => new Map()).set(b.line, b);
  const hints: LocationHint[] = [];
  const seen = new TupleSet<[string, string, number, string]>();
  for (const b of blame) {
    if (!shas.has(b.sha) || !CALL.test(b.text)) continue;
    const file = byPath.get([b.repository, b.path]);
    const sym = file ? enclosingSymbol(file.symbols, b.line) : null;
    if (!file || !sym) continue;
    const text = lines.get([b.repository, b.path])!;
    let indent = indentOf(b.text);
    let inLoop = false;
    for (let n = b.line - 1; n >= sym.startLine && indent > 0; n--) {
      const above = text.get(n)?.text;
      if (above === undefined || above.trim() === '') continue;
      const i = indentOf(above);
      if (i >= indent) continue;
      indent = i;
      if (LOOP.test(above)) {
        inLoop = true;
        break;
      }
    }
    const key: [string, string, number, string] = [b.path, qualifiedName(sym), sym.startLine, b.sha];
    if (!inLoop || seen.has(key)) continue;
    seen.add(key);
    hints.push({
      repository: b.repository,
      path: b.path,
      line: sym.startLine,
      symbol: qualifiedName(sym),
      source: { kind: 'loop_call', sha: b.sha, line: b.line, edge },
    });
  }
  return hints;
}
