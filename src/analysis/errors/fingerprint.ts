// Error fingerprints (errors@1): which occurrences are the same error. The fingerprint is the
// exception type plus the normalised in-app frames, so a deploy that moves lines, a host with
// another install path, or a new library version keeps the group; a different throwing
// function or type starts a new one. Each result lists the strings it hashed, to explain it.
import { createHash } from 'node:crypto';
import type { ExceptionOccurrence } from './extract.js';
import { type InAppOptions, isInApp } from './in-app.js';
import { parseStackTrace } from './stack-parse.js';
import type { ExceptionCause, ParsedStack, Runtime, StackFrame } from './types.js';

/** Stored groups record the algorithm that made their fingerprint (STYLE rule 4). */
export const ERRORS_ALGORITHM = 'errors@1';

export interface FingerprintOptions {
  /** In-app frames used per exception, innermost first (default 6). */
  maxFrames?: number;
  /** Re-classifies the frames with these rules instead of the `inApp` the parser set. */
  inApp?: InAppOptions;
}

export interface FingerprintInput {
  type: string | null;
  message: string | null;
  /** Innermost first, as parseStackTrace returns them. */
  frames: StackFrame[];
  /** The chain below the exception; its last entry (the root cause) also counts. */
  causes?: ExceptionCause[];
  /** Only needed with `opts.inApp`. */
  runtime?: Runtime;
}

export interface ErrorFingerprint {
  algorithm: typeof ERRORS_ALGORITHM;
  /** 32 hex characters: the first 128 bits of a SHA-256 over `components`. */
  fingerprint: string;
  /** The exception type as reported ('' when the occurrence had none). */
  type: string;
  /** The message with its variable parts replaced by placeholders (`<n>`, `<uuid>`, `<str>` …). */
  normalizedMessage: string;
  /** The in-app frames that contributed: the exception's, then the root cause's. */
  frames: StackFrame[];
  /** `frames` when in-app frames decided; else `type+message`, or `message` with no type. */
  basis: 'frames' | 'type+message' | 'message';
  /** What was hashed, one readable string each (`type:…`, `frame:<where>|<function>`,
   *  `cause:…`, `cause-frame:…`, `message:…`): two occurrences group iff these are equal. */
  components: string[];
}

const DEFAULT_MAX_FRAMES = 6;
const MAX_MESSAGE = 1000;
const BUNDLE_EXT = /\.(?:m?js|cjs|jsx|css)$/;

/**
 * A file path reduced to what is the same on every host and build: no scheme and host
 * (`file://`, `webpack://app/`, `https://cdn…`), query or hash, drive letter or backslashes,
 * no content hash in a bundle's name (`main.3f2a9c1b.js` → `main.js`), and only the last two
 * segments (`/home/ci/work/shop/src/cart.ts` and `/app/src/cart.ts` both → `src/cart.ts`).
 * Two segments survive any install prefix; the function name beside it keeps them apart.
 */
export function normalizeFrameFile(file: string): string {
  let f = file.replace(/\\/g, '/').replace(/[?#].*$/, '');
  f = f.replace(/^[A-Za-z][\w+.-]*:\/\/[^/]*/, '').replace(/^\/?[A-Za-z]:\//, '/');
  const segments = f.split('/').filter((s) => s !== '' && s !== '.');
  const last = segments.length - 1;
  if (last < 0) return f;
  const base = segments[last]!;
  const ext = BUNDLE_EXT.exec(base);
  if (ext) {
    const stem = base.slice(0, ext.index);
    const hashed = /[.-]([A-Za-z0-9_]{6,})$/.exec(stem);
    if (hashed && /\d/.test(hashed[1]!)) segments[last] = stem.slice(0, hashed.index) + ext[0];
  }
  return segments.slice(-2).join('/');
}

/**
 * A function, class or type name without what a build or a JVM run varies: lambda-class
 * suffixes (`$$Lambda$14/0x0000000800c4b440`, `$$Lambda$41/1858609436` → `$$Lambda$`),
 * synthetic numbers (`$1`, `lambda$checkout$0`, `$$SpringCGLIB$$0`), long hex ids and `0x…`
 * values, V8's `[as alias]`. Go's `.func1` closures stay: they name distinct code.
 */
export function normalizeSymbol(name: string): string {
  return name
    .replace(/ \[as [^\]]*\]$/, '')
    .replace(/\/(?:0x[0-9a-fA-F]+|\d+)(?=\.|$)/g, '')
    .replace(/\$(?:\d+|[0-9a-fA-F]{8,})(?![\w])/g, '$')
    .replace(/0x[0-9a-fA-F]+/g, '0x');
}

/**
 * A message with its variable parts as placeholders: URLs, emails, UUIDs, quoted strings,
 * hex values and ids, then any remaining digits. Used when no in-app frame exists.
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, MAX_MESSAGE)
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, '<url>')
    .replace(/(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/(?<!\w)'[^'\n]*'(?!\w)|"[^"\n]*"|`[^`\n]*`/g, '<str>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

function frameKey(f: StackFrame): string {
  const where = f.module !== null ? normalizeSymbol(f.module) : normalizeFrameFile(f.file);
  return `${where}|${normalizeSymbol(f.function)}`;
}

/** The first `max` in-app frames, a recursion's repeated frames counted once. */
function contributing(frames: StackFrame[], max: number, runtime: Runtime, inApp?: InAppOptions): StackFrame[] {
  const out: StackFrame[] = [];
  let previous = '';
  for (const f of frames) {
    if (out.length >= max) break;
    if (!(inApp ? isInApp(f, runtime, inApp) : f.inApp)) continue;
    const key = frameKey(f);
    if (key === previous) continue;
    previous = key;
    out.push(f);
  }
  return out;
}

function hash(components: string[]): string {
  return createHash('sha256')
    .update(`${ERRORS_ALGORITHM}\n${components.join('\n')}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Fingerprints one exception. In-app frames decide when there are any: the type, the
 * exception's first in-app frames and, when a chain is present, the root cause's type and
 * first in-app frames (a framework's wrapper exception is the same everywhere; what it wraps
 * tells errors apart). Without in-app frames: type and normalised message, or the message.
 */
export function fingerprintError(input: FingerprintInput, opts: FingerprintOptions = {}): ErrorFingerprint {
  const max = Math.max(1, opts.maxFrames ?? DEFAULT_MAX_FRAMES);
  const runtime = input.runtime ?? 'unknown';
  const type = (input.type ?? '').trim();
  const typeKey = normalizeSymbol(type);
  const normalizedMessage = normalizeMessage(input.message ?? '');
  const root = input.causes && input.causes.length > 0 ? input.causes[input.causes.length - 1]! : null;
  const rootType = root ? normalizeSymbol((root.type ?? '').trim()) : '';

  const top = contributing(input.frames, max, runtime, opts.inApp);
  const below = root ? contributing(root.frames, max, runtime, opts.inApp) : [];
  let components: string[];
  let basis: ErrorFingerprint['basis'];
  if (top.length + below.length > 0) {
    basis = 'frames';
    components = [`type:${typeKey}`, ...top.map((f) => `frame:${frameKey(f)}`)];
    if (root) components.push(`cause:${rootType}`, ...below.map((f) => `cause-frame:${frameKey(f)}`));
  } else if (type !== '') {
    basis = 'type+message';
    components = [`type:${typeKey}`, ...(root ? [`cause:${rootType}`] : []), `message:${normalizedMessage}`];
  } else {
    basis = 'message';
    components = [`message:${normalizedMessage}`];
  }
  return {
    algorithm: ERRORS_ALGORITHM,
    fingerprint: hash(components),
    type,
    normalizedMessage,
    frames: basis === 'frames' ? [...top, ...below] : [],
    basis,
    components,
  };
}

/**
 * Parses an occurrence's stack trace and fingerprints it. The occurrence's own type and
 * message (the SDK's `exception.type` / `exception.message`) win over the trace's header.
 */
export function fingerprintOccurrence(
  occ: Pick<ExceptionOccurrence, 'type' | 'message' | 'stacktrace' | 'runtime'>,
  opts: FingerprintOptions = {},
): { stack: ParsedStack; fingerprint: ErrorFingerprint } {
  const parsed = parseStackTrace(occ.stacktrace ?? '', occ.runtime, { inApp: opts.inApp });
  const stack: ParsedStack = { ...parsed, type: occ.type ?? parsed.type, message: occ.message ?? parsed.message };
  const fingerprint = fingerprintError(stack, { maxFrames: opts.maxFrames });
  return { stack, fingerprint };
}
