// Which stack frames are the application's own code (in-app) and which belong to the runtime,
// the standard library or a dependency (vendor). Only in-app frames make an error's
// fingerprint, so that upgrading a library or the runtime does not split a group.
import type { Runtime, StackFrame } from './types.js';

export interface InAppOptions {
  /**
   * Always in-app, whatever the defaults say: each entry is matched as a prefix of the
   * frame's module (Java class, Go package, Python module) or as a substring of its file path
   * (with `/` separators). Example: `['org.springframework.samples.', 'github.com/acme/']`.
   */
  inApp?: readonly string[];
  /** Extra vendor markers, matched the same way, added to the defaults. */
  vendor?: readonly string[];
  /** `false` drops the built-in vendor rules (then only `vendor` marks frames vendor). */
  defaults?: boolean;
}

/** Java/JVM packages of the JDK, JVM languages and widely used frameworks and drivers. */
export const DEFAULT_JVM_VENDOR_PACKAGES: readonly string[] = [
  'java.',
  'javax.',
  'jakarta.',
  'sun.',
  'com.sun.',
  'jdk.',
  'kotlin.',
  'kotlinx.',
  'scala.',
  'groovy.',
  'org.codehaus.groovy.',
  'org.springframework.',
  'org.apache.',
  'com.fasterxml.',
  'io.netty.',
  'org.hibernate.',
  'com.zaxxer.',
  'io.micrometer.',
  'io.opentelemetry.',
  'ch.qos.logback.',
  'org.slf4j.',
  'reactor.',
  'io.reactivex.',
  'io.grpc.',
  'com.google.',
  'org.eclipse.',
  'io.undertow.',
  'org.jboss.',
  'org.glassfish.',
  'org.junit.',
  'org.mockito.',
  'okhttp3.',
  'okio.',
  'feign.',
  'org.aspectj.',
  'net.bytebuddy.',
  'io.vertx.',
  'akka.',
  'com.mysql.',
  'org.postgresql.',
  'org.mariadb.',
  'com.mongodb.',
  'io.lettuce.',
  'redis.clients.',
  'io.github.resilience4j.',
  'com.netflix.',
  'com.amazonaws.',
  'software.amazon.',
];

const JVM_VENDOR = new RegExp(`^(?:${DEFAULT_JVM_VENDOR_PACKAGES.map((p) => p.replace(/\./g, '\\.')).join('|')})`);

/** Top-level packages of Go's standard library (a closed set: it only grows with Go releases). */
const GO_STDLIB = new Set([
  'archive',
  'bufio',
  'builtin',
  'bytes',
  'cmp',
  'compress',
  'container',
  'context',
  'crypto',
  'database',
  'debug',
  'embed',
  'encoding',
  'errors',
  'expvar',
  'flag',
  'fmt',
  'go',
  'hash',
  'html',
  'image',
  'index',
  'internal',
  'io',
  'iter',
  'log',
  'maps',
  'math',
  'mime',
  'net',
  'os',
  'path',
  'plugin',
  'reflect',
  'regexp',
  'runtime',
  'slices',
  'sort',
  'strconv',
  'strings',
  'structs',
  'sync',
  'syscall',
  'testing',
  'text',
  'time',
  'unicode',
  'unique',
  'unsafe',
  'weak',
  'vendor',
]);

const NODE_MODULES = /(?:^|\/)node_modules\//;
/** Node core (`node:internal/…`, pre-16 `internal/…`) and bundler runtime frames. */
const V8_CORE = /^(?:node:|internal\/)|^webpack\/(?:bootstrap|runtime)/;
/** Installed packages, the standard library (POSIX `lib/python3.11/`, Windows `Python311/Lib/`)
 *  and frozen modules. */
const PY_VENDOR = /\/(?:site|dist)-packages\/|\/lib(?:64)?\/python\d+(?:\.\d+)?\/|\/Python\d+\/Lib\/|^<frozen /;
/** GOROOT in its usual homes (official tarball, distro packages, Homebrew, golang.org/dl,
 *  Windows installer), the module cache, version-suffixed module paths and vendor folders. */
const GO_VENDOR =
  /\/usr\/(?:local\/)?go\/src\/|\/usr\/lib\/go(?:-[\d.]+)?\/src\/|\/libexec\/src\/|\/sdk\/go[\d.]+\/src\/|\/Go\/src\/|^\$?GOROOT\/|\/pkg\/mod\/|@v\d+\.\d+|(?:^|\/)vendor\//;
/** Classes the JVM or a framework generated (proxies, CGLIB subclasses, lambda shims). */
const JVM_GENERATED = /\$\$(?:Lambda|SpringCGLIB|EnhancerBy|FastClassBy)|\$Proxy\d|\$HibernateProxy\$/;

function matchesAny(entries: readonly string[] | undefined, module: string | null, file: string): boolean {
  if (!entries) return false;
  for (const e of entries) {
    if (e === '') continue;
    if (module?.startsWith(e) || file.includes(e)) return true;
  }
  return false;
}

function v8Vendor(file: string, line: number | null): boolean {
  if (NODE_MODULES.test(file) || V8_CORE.test(file)) return true;
  // `<anonymous>`, `native`, `index 0` (Promise.all): built-ins with no source of ours.
  return line === null && !file.includes('/');
}

function pythonVendor(file: string): boolean {
  return PY_VENDOR.test(file) || file.startsWith('<');
}

function javaVendor(frame: Pick<StackFrame, 'file' | 'module'>): boolean {
  const cls = frame.module ?? '';
  if (frame.file === '<generated>' || JVM_GENERATED.test(cls)) return true;
  return JVM_VENDOR.test(cls);
}

function goVendor(file: string, module: string | null): boolean {
  if (GO_VENDOR.test(file)) return true;
  // -trimpath builds print standard-library files relative to GOROOT/src: `runtime/panic.go`.
  if (!file.startsWith('/') && !/^[A-Za-z]:\//.test(file) && GO_STDLIB.has(file.split('/', 1)[0]!)) return true;
  if (module === null) return file === '';
  return GO_STDLIB.has(module.split('/', 1)[0]!);
}

/**
 * True when the frame is the application's own code. Rules, first match wins: `opts.inApp`
 * (in-app), `opts.vendor` (vendor), the runtime's defaults (vendor), else in-app. With an
 * unknown runtime, the file-path defaults of every runtime apply.
 */
export function isInApp(
  frame: Pick<StackFrame, 'file' | 'module' | 'line'>,
  runtime: Runtime,
  opts: InAppOptions = {},
): boolean {
  const file = frame.file.includes('\\') ? frame.file.replace(/\\/g, '/') : frame.file;
  const module = frame.module;
  if (matchesAny(opts.inApp, module, file)) return true;
  if (matchesAny(opts.vendor, module, file)) return false;
  if (opts.defaults === false) return true;
  switch (runtime) {
    case 'v8':
      return !v8Vendor(file, frame.line);
    case 'python':
      return !pythonVendor(file);
    case 'java':
      return !javaVendor({ file, module });
    case 'go':
      return !goVendor(file, module);
    case 'unknown':
      return !(NODE_MODULES.test(file) || V8_CORE.test(file) || PY_VENDOR.test(file) || GO_VENDOR.test(file));
  }
}
