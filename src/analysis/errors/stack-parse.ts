// Stack-trace parsing for the four runtimes Orrery groups errors for: V8 (Node, Chromium),
// CPython, the JVM and Go. Text in, frames out (innermost first, whatever the runtime prints),
// plus the reported exception's type and message and its chain of causes. Never throws: text
// it cannot read gives `frames: []`. Input is capped at 64 KiB and lines at 2,000 characters,
// and every pattern is linear, so hostile text costs no more than its length.
import { type InAppOptions, isInApp } from './in-app.js';
import type { ExceptionCause, ParsedStack, Runtime, StackFrame } from './types.js';

export const MAX_STACK_INPUT = 64 * 1024;
export const MAX_FRAMES = 200;
const MAX_LINE = 2000;

export interface ParseOptions {
  /** Which frames count as the application's own (sets `StackFrame.inApp`). */
  inApp?: InAppOptions;
}

type RawFrame = Omit<StackFrame, 'inApp'>;
interface RawException {
  type: string | null;
  message: string | null;
  frames: RawFrame[];
}

// ---------------------------------------------------------------------------------------
// Runtime hints and detection

/**
 * The runtime named by an OpenTelemetry resource attribute (`telemetry.sdk.language`,
 * `process.runtime.name`) or by one of our own Runtime ids; 'unknown' for anything else.
 */
export function runtimeFromHint(value: string | null | undefined): Runtime {
  if (typeof value !== 'string') return 'unknown';
  const v = value.trim().toLowerCase();
  switch (v) {
    case 'v8':
    case 'nodejs':
    case 'node':
    case 'node.js':
    case 'webjs':
    case 'browser':
    case 'javascript':
    case 'js':
    case 'typescript':
    case 'deno':
    case 'bun':
      return 'v8';
    case 'python':
    case 'cpython':
    case 'pypy':
    case 'python3':
      return 'python';
    case 'java':
    case 'jvm':
    case 'kotlin':
    case 'scala':
    case 'groovy':
    case 'clojure':
      return 'java';
    case 'go':
    case 'golang':
    case 'gc':
      return 'go';
  }
  // process.runtime.name on the JVM: "OpenJDK Runtime Environment", "Java(TM) SE Runtime Environment".
  if (/\b(?:java|openjdk|jdk|jre)\b|\bjava\(tm\)/.test(v)) return 'java';
  return 'unknown';
}

const LOC_TAIL = /:\d+(?::\d+)?$/;
const JAVA_PACKAGING = /\s+~?\[[^\]]*\]$/;
const GO_FILE_TAIL = /\.(?:go|s):\d+$/;
const GO_PC = /\s\+0x[0-9a-fA-F]+$/;
const PY_FRAME = /^File "([^"]*)", line (\d+)(?:, in (.*))?$/;

/** `at …` as V8 prints it: `at fn (location)` or `at location`. */
function isV8Frame(t: string): boolean {
  if (!t.startsWith('at ')) return false;
  const body = t.endsWith(' {') ? t.slice(0, -2) : t;
  if (body.endsWith(')')) return body.includes(' (');
  const loc = body.startsWith('at async ') ? body.slice(9) : body.slice(3);
  return LOC_TAIL.test(loc) && /[/\\.]/.test(loc.replace(LOC_TAIL, ''));
}

/** `at pkg.Class.method(Source)` as the JVM prints it: no space before the parenthesis. */
function isJavaFrame(t: string): boolean {
  if (!t.startsWith('at ')) return false;
  const body = t.replace(JAVA_PACKAGING, '');
  if (!body.endsWith(')')) return false;
  const p = body.indexOf('(');
  return p > 3 && !body.slice(3, p).includes(' ');
}

/** Go's file line under a function: `\t/path/file.go:87 +0x1bc` (offset optional). */
function isGoFileLine(line: string): boolean {
  if (line.length === 0 || (line[0] !== '\t' && line[0] !== ' ')) return false;
  return GO_FILE_TAIL.test(line.trim().replace(GO_PC, ''));
}

/** The runtime whose format the text is in, by counting lines of each runtime's frame shape. */
export function detectRuntime(text: string): Runtime {
  if (typeof text !== 'string') return 'unknown';
  return detectLines(toLines(prepare(text)));
}

function detectLines(lines: string[]): Runtime {
  let v8 = 0;
  let java = 0;
  let python = 0;
  let go = 0;
  for (const line of lines) {
    const t = line.trim();
    if (t.startsWith('at ')) {
      if (isJavaFrame(t)) java++;
      else if (isV8Frame(t)) v8++;
    } else if (t.startsWith('File "')) {
      if (PY_FRAME.test(t)) python++;
    } else if (t.endsWith('Traceback (most recent call last):')) {
      python += 10;
    } else if (/^goroutine \d+ \[/.test(t)) {
      go += 10;
    } else if (isGoFileLine(line)) {
      go++;
    }
  }
  const best = Math.max(v8, java, python, go);
  if (best === 0) return 'unknown';
  if (best === python) return 'python';
  if (best === go) return 'go';
  if (best === java) return 'java';
  return 'v8';
}

// ---------------------------------------------------------------------------------------
// Shared helpers

/** Caps the input; a trace logged with escaped newlines (`\n\tat …` on one line) is unescaped. */
function prepare(text: string): string {
  let s = text.length > MAX_STACK_INPUT ? text.slice(0, MAX_STACK_INPUT) : text;
  if (!s.includes('\n') && s.includes('\\n')) s = s.replace(/\\r\\n|\\n/g, '\n').replace(/\\t/g, '\t');
  return s;
}

function toLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => (l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l));
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** Index of the `(` that opens the group closing at the end of `s`, or -1. */
function openingParen(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if (c === ')') depth++;
    else if (c === '(') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function joinMessage(lines: string[]): string | null {
  const s = lines.join('\n').trim();
  return s === '' ? null : s;
}

/** How each runtime writes an exception's name at the start of its first line: name, colon, message. */
const HEADER_START = {
  v8: /^(?:Uncaught )?([A-Za-z_$][\w$.]*(?: \[[^\]\s]{1,100}\])?)(?:(:)(?: (.*))?)?$/,
  java: /^(?:Exception in thread "[^"]{0,200}" )?([A-Za-z_$][\w$.]*)(?:(:)(?: (.*))?)?$/,
  python: /^([A-Za-z_][\w.]*)(?:(:)(?: (.*))?)?$/,
} as const;
const BARE_TYPE = /(?:Error|Exception|Throwable)$/;
/** An exception name inside a longer line (a log prefix before it): `… TypeError: boom`. */
const HEADER_INSIDE =
  /(?:^|[\s[(])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Error|Exception|Throwable))(?: \[[^\]\s]{1,100}\])?: (.*)$/;

/** Whether a matched name is a plausible exception type for the style. Python's exception line
 *  is known by its place (after the frames), so any name goes; the JVM always prints class
 *  names qualified; V8 names stand alone, so a bare word needs a colon or an error-like name. */
function plausibleType(style: keyof typeof HEADER_START, name: string, colon: boolean): boolean {
  if (style === 'python') return true;
  if (style === 'java') return name.includes('.') || BARE_TYPE.test(name);
  return colon || BARE_TYPE.test(name);
}

/**
 * Type and message from the lines above a trace's frames (below them, for Python). The first
 * line that starts with an exception name is the header; the lines after it continue the
 * message (messages may span lines). Lines before it (a log prefix, Node's source excerpt of
 * an uncaught error) are dropped. Failing that, a name inside a line (`ERROR … Foo: msg`).
 */
function parseHeader(
  lines: string[],
  style: keyof typeof HEADER_START,
): { type: string | null; message: string | null } {
  const re = HEADER_START[style];
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]!.trim());
    if (!m || !plausibleType(style, m[1]!, m[2] !== undefined)) continue;
    return { type: m[1]!, message: joinMessage([m[3] ?? '', ...lines.slice(i + 1)]) };
  }
  for (let i = 0; i < lines.length; i++) {
    const m = HEADER_INSIDE.exec(lines[i]!.trim());
    if (m) return { type: m[1]!, message: joinMessage([m[2] ?? '', ...lines.slice(i + 1)]) };
  }
  return { type: null, message: joinMessage(lines) };
}

function pushCapped<T>(list: T[], item: T): void {
  if (list.length < MAX_FRAMES) list.push(item);
}

// ---------------------------------------------------------------------------------------
// V8

function stripFileUrl(loc: string): string {
  if (!loc.startsWith('file://')) return loc;
  const s = loc.slice(7);
  return /^\/[A-Za-z]:\//.test(s) ? s.slice(1) : s;
}

function parseV8Frame(t: string): RawFrame {
  let body = t.slice(3);
  if (body.endsWith(' {')) body = body.slice(0, -2);
  let fn = '';
  let loc = body;
  if (body.endsWith(')')) {
    const open = openingParen(body);
    if (open > 0) {
      fn = body.slice(0, open).trim();
      loc = body.slice(open + 1, -1);
    }
  } else if (body.startsWith('async ')) {
    loc = body.slice(6);
  }
  if (loc.startsWith('eval at ')) {
    // `eval at fn (file:l:c), <anonymous>:l:c`: the file that called eval is the useful place.
    const open = loc.lastIndexOf('(');
    const close = loc.indexOf(')', open);
    if (open >= 0 && close > open) loc = loc.slice(open + 1, close);
  }
  fn = fn
    .replace(/^async /, '')
    .replace(/^new /, '')
    .replace(/ \[as [^\]]*\]$/, '');
  const m = /:(\d+)(?::(\d+))?$/.exec(loc);
  const file = stripFileUrl(m ? loc.slice(0, m.index) : loc);
  return {
    file,
    function: fn === '' ? '<anonymous>' : fn,
    line: m ? Number(m[1]) : null,
    column: m?.[2] !== undefined ? Number(m[2]) : null,
    module: null,
  };
}

/** V8 `error.stack`, optionally as util.inspect prints it, with `[cause]:` errors nested. */
function parseV8(lines: string[]): RawException[] {
  const blocks: Array<{ header: string[]; frames: RawFrame[] }> = [{ header: [], frames: [] }];
  for (const line of lines) {
    const t = line.trim();
    const cur = blocks[blocks.length - 1]!;
    if (isV8Frame(t)) {
      pushCapped(cur.frames, parseV8Frame(t));
    } else if (t.startsWith('[cause]: ') && cur.frames.length > 0) {
      blocks.push({ header: [t.slice(9)], frames: [] });
    } else if (cur.frames.length === 0) {
      cur.header.push(line);
    }
  }
  return blocks.map((b) => ({ ...parseHeader(b.header, 'v8'), frames: b.frames }));
}

// ---------------------------------------------------------------------------------------
// Java

/**
 * `[loader/][module@version/]pkg.Class.method(Source)`. A lambda class's suffix
 * (`Foo$$Lambda$14/0x…` since JDK 9, `Foo$$Lambda$41/1858609436` on JDK 8) also holds a
 * slash, so the prefix ends at the last slash before it.
 */
function parseJavaFrame(t: string): RawFrame {
  const body = t.replace(JAVA_PACKAGING, '').slice(3);
  const p = body.indexOf('(');
  let qualified = body.slice(0, p);
  const source = body.slice(p + 1, -1);
  const hidden = qualified.search(/\/(?:0x[0-9a-fA-F]+|\d+)\.[^./]*$/);
  const head = hidden >= 0 ? qualified.slice(0, hidden) : qualified;
  const slash = head.lastIndexOf('/');
  if (slash >= 0) qualified = qualified.slice(slash + 1);
  const dot = qualified.lastIndexOf('.');
  const cls = dot > 0 ? qualified.slice(0, dot) : '';
  const method = dot > 0 ? qualified.slice(dot + 1) : qualified;
  const simple = cls.slice(cls.lastIndexOf('.') + 1);
  const m = /:(\d+)$/.exec(source);
  return {
    file: m ? source.slice(0, m.index) : source,
    function: simple ? `${simple}.${method}` : method,
    line: m ? Number(m[1]) : null,
    column: null,
    module: cls || null,
  };
}

/**
 * The JVM's `printStackTrace` (and logback/log4j renderings of it). `Caused by:` at the
 * trace's own indentation starts the next cause; `Suppressed:` blocks (and causes nested in
 * them, printed one level deeper) are skipped. A cause's `... N more` is filled in from the
 * enclosing trace's last N frames, as the JVM means it.
 */
function parseJava(lines: string[]): RawException[] {
  const blocks: Array<{ header: string[]; frames: RawFrame[]; more: number }> = [{ header: [], frames: [], more: 0 }];
  let frameIndent = -1;
  let skipping = false;
  for (const line of lines) {
    const t = line.trim();
    const cur = blocks[blocks.length - 1]!;
    const indent = indentOf(line);
    if (isJavaFrame(t)) {
      if (frameIndent < 0) frameIndent = indent;
      if (!skipping) pushCapped(cur.frames, parseJavaFrame(t));
      continue;
    }
    const more = /^\.\.\. (\d+) (?:more|common frames omitted)$/.exec(t);
    if (more) {
      if (!skipping) cur.more = Number(more[1]);
      continue;
    }
    if (t.startsWith('Caused by: ') && frameIndent >= 0) {
      // Flush-left traces (indentation stripped by a log pipeline) cannot show nesting.
      skipping = frameIndent > 0 && indent >= frameIndent;
      if (!skipping) blocks.push({ header: [t.slice(11)], frames: [], more: 0 });
      continue;
    }
    if (t.startsWith('Suppressed: ') && frameIndent >= 0) {
      skipping = true;
      continue;
    }
    if (!skipping && cur.frames.length === 0) cur.header.push(line);
  }
  const out: RawException[] = [];
  let enclosing: RawFrame[] = [];
  for (const b of blocks) {
    const frames = b.frames.slice();
    if (b.more > 0 && out.length > 0) {
      for (const f of enclosing.slice(Math.max(0, enclosing.length - b.more))) pushCapped(frames, f);
    }
    out.push({ ...parseHeader(b.header, 'java'), frames });
    enclosing = frames;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Python

const PY_MODULE_PATHS = [/\/(?:site|dist)-packages\/(.+)\.py$/, /\/lib(?:64)?\/python\d+(?:\.\d+)?\/(.+)\.py$/];

/** The dotted module of a library file (site-/dist-packages, the standard library, frozen). */
function pythonModule(file: string): string | null {
  const frozen = /^<frozen (.+)>$/.exec(file);
  if (frozen) return frozen[1]!;
  const f = file.replace(/\\/g, '/');
  for (const re of PY_MODULE_PATHS) {
    const m = re.exec(f);
    if (m) return m[1]!.replace(/\//g, '.').replace(/\.__init__$/, '');
  }
  return null;
}

const PY_CHAIN = /^(?:During handling of the above exception|The above exception was the direct cause)/;

/** One `Traceback (most recent call last):` block: frames (printed outermost first) and the
 *  exception line(s) after them. */
function parsePythonBlock(lines: string[], baseIndent: number): RawException {
  const frames: RawFrame[] = [];
  let fileIndent = -1;
  const exc: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (exc.length > 0) {
      // Messages may hold blank lines (SQLAlchemy's "[SQL: …]" part); the chain line ends one.
      if (PY_CHAIN.test(t)) break;
      exc.push(t);
      continue;
    }
    if (t === '') continue;
    const m = PY_FRAME.exec(t);
    if (m) {
      fileIndent = indentOf(line);
      if (frames.length < MAX_FRAMES * 4) {
        frames.push({ file: m[1]!, function: m[3] ?? '<module>', line: Number(m[2]), column: null, module: null });
      }
      continue;
    }
    // Source excerpts, 3.11 caret lines and "[Previous line repeated N more times]" sit deeper.
    if (fileIndent >= 0 && indentOf(line) > baseIndent) continue;
    if (t.startsWith('[Previous line repeated')) continue;
    exc.push(t);
  }
  frames.reverse();
  if (frames.length > MAX_FRAMES) frames.length = MAX_FRAMES;
  for (const f of frames) f.module = pythonModule(f.file);
  return { ...parseHeader(exc, 'python'), frames };
}

/** CPython tracebacks; chained ones print the earliest exception first, so the last block is
 *  the one that was reported and the blocks before it are its causes. */
function parsePython(lines: string[]): RawException[] {
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (l.trimEnd().endsWith('Traceback (most recent call last):')) starts.push(i);
  });
  if (starts.length === 0) return [parsePythonBlock(lines, 0)];
  const blocks = starts.map((s, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]! : lines.length;
    const head = lines[s]!;
    const baseIndent = head.trimStart().startsWith('Traceback') ? indentOf(head) : 0;
    return parsePythonBlock(lines.slice(s + 1, end), baseIndent);
  });
  return blocks.reverse();
}

// ---------------------------------------------------------------------------------------
// Go

function parseGoFunction(raw: string): { module: string | null; fn: string } {
  let name = raw.trim();
  if (name.endsWith(')')) {
    const open = openingParen(name);
    if (open > 0) name = name.slice(0, open);
  }
  const bracket = name.indexOf('[');
  const head = bracket >= 0 ? name.slice(0, bracket) : name;
  const dot = head.indexOf('.', head.lastIndexOf('/') + 1);
  if (dot <= 0) return { module: null, fn: name };
  return { module: name.slice(0, dot), fn: name.slice(dot + 1) };
}

function parseGoFile(line: string): { file: string; line: number } {
  const t = line.trim().replace(GO_PC, '');
  const m = /:(\d+)$/.exec(t)!;
  return { file: t.slice(0, m.index), line: Number(m[1]) };
}

function goFrame(fnLine: string, fileLine: string): RawFrame {
  const { module, fn } = parseGoFunction(fnLine);
  const { file, line } = parseGoFile(fileLine);
  return { file, function: fn, line, column: null, module };
}

const GO_PANIC = /^(?:panic|fatal error): /;

/**
 * A Go panic (or any goroutine dump: `debug.Stack()`, OpenTelemetry's recorded stack): the
 * last `panic:` line and the first goroutine's frames, `created by` left out. Without a
 * goroutine header, pkg/errors `%+v` output: message lines and stacks, innermost error first.
 */
function parseGo(lines: string[]): RawException[] {
  const g = lines.findIndex((l) => /^goroutine \d+ \[/.test(l.trim()));
  if (g < 0) return parseGoErrorStacks(lines);
  let type: string | null = null;
  let message: string | null = null;
  for (const l of lines.slice(0, g)) {
    const t = l.trim();
    if (!GO_PANIC.test(t)) continue;
    const fatal = t.startsWith('fatal error: ');
    message = t.slice(fatal ? 13 : 7).replace(/ \[recovered(?:, repanicked)?\]$/, '');
    type = fatal ? 'fatal error' : message.startsWith('runtime error: ') ? 'runtime.Error' : 'panic';
  }
  const frames: RawFrame[] = [];
  for (let i = g + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t === '' || /^goroutine \d+ \[/.test(t)) break;
    if (isGoFileLine(line)) continue;
    const next = lines[i + 1];
    if (next === undefined || !isGoFileLine(next)) continue;
    i++;
    if (t.startsWith('created by ')) continue;
    pushCapped(frames, goFrame(t, next));
  }
  return [{ type, message, frames }];
}

function parseGoErrorStacks(lines: string[]): RawException[] {
  const segments: Array<{ messages: string[]; frames: RawFrame[] }> = [{ messages: [], frames: [] }];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    const next = lines[i + 1];
    if (t !== '' && indentOf(line) === 0 && next !== undefined && isGoFileLine(next)) {
      pushCapped(segments[segments.length - 1]!.frames, goFrame(t, next));
      i++;
    } else if (t !== '' && !isGoFileLine(line)) {
      if (segments[segments.length - 1]!.frames.length > 0) segments.push({ messages: [], frames: [] });
      segments[segments.length - 1]!.messages.push(t);
    }
  }
  // err.Error() of a wrap reads outermost first: "could not load: open x: no such file".
  const outerFirst = (msgs: string[]) => joinMessage([[...msgs].reverse().join(': ')]);
  const seen: string[] = [];
  const out: RawException[] = [];
  for (const s of segments) {
    seen.push(...s.messages);
    if (s.frames.length > 0) out.push({ type: null, message: outerFirst(seen), frames: s.frames });
  }
  if (out.length === 0) return [{ type: null, message: outerFirst(seen), frames: [] }];
  // Lines after the last stack are the outermost wraps' messages.
  out[out.length - 1]!.message = outerFirst(seen);
  return out.reverse();
}

// ---------------------------------------------------------------------------------------
// Entry point

function parseAs(runtime: Runtime, lines: string[]): RawException[] {
  switch (runtime) {
    case 'v8':
      return parseV8(lines);
    case 'java':
      return parseJava(lines);
    case 'python':
      return parsePython(lines);
    case 'go':
      return parseGo(lines);
    case 'unknown': {
      const h = parseHeader(lines.slice(0, 20), 'java');
      return [h.type ? h : parseHeader(lines.slice(0, 20), 'v8')].map((x) => ({ ...x, frames: [] }));
    }
  }
}

function finish(runtime: Runtime, chain: RawException[], opts: ParseOptions): ParsedStack {
  const mark = (frames: RawFrame[]): StackFrame[] =>
    frames.map((f) => ({
      file: f.file,
      function: f.function,
      line: f.line,
      column: f.column,
      module: f.module,
      inApp: isInApp(f, runtime, opts.inApp),
    }));
  const [top, ...rest] = chain;
  const causes: ExceptionCause[] = rest.map((c) => ({ type: c.type, message: c.message, frames: mark(c.frames) }));
  return { runtime, type: top?.type ?? null, message: top?.message ?? null, frames: mark(top?.frames ?? []), causes };
}

const EMPTY: ParsedStack = { runtime: 'unknown', type: null, message: null, frames: [], causes: [] };

/**
 * Parses a stack trace as the runtime printed it. `hint` is a Runtime or an OpenTelemetry
 * `telemetry.sdk.language` / `process.runtime.name` value; the hinted format is tried first and
 * the detected one when the hint gives no frames (a Python trace relayed by a Java service).
 */
export function parseStackTrace(text: string, hint?: Runtime | string | null, opts: ParseOptions = {}): ParsedStack {
  if (typeof text !== 'string' || text.trim() === '') return { ...EMPTY, runtime: runtimeFromHint(hint) };
  try {
    const lines = toLines(prepare(text));
    const hinted = runtimeFromHint(hint);
    let first: ParsedStack | null = null;
    if (hinted !== 'unknown') {
      first = finish(hinted, parseAs(hinted, lines), opts);
      if (first.frames.length > 0) return first;
    }
    const detected = detectLines(lines);
    if (detected !== 'unknown' && detected !== hinted) {
      const second = finish(detected, parseAs(detected, lines), opts);
      if (second.frames.length > 0 || first === null) return second;
    }
    return first ?? finish('unknown', parseAs('unknown', lines), opts);
  } catch {
    return { ...EMPTY, runtime: runtimeFromHint(hint) };
  }
}
