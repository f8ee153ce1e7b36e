// The shapes shared by error grouping (errors@1): a parsed stack trace and its frames. Kept
// apart from the parsers so the in-app rules, the parsers and the fingerprint can all use them
// without importing each other in a circle.

/** The runtime whose stack-trace format a text is in. */
export type Runtime = 'v8' | 'python' | 'java' | 'go' | 'unknown';

export interface StackFrame {
  /**
   * The source file as the runtime printed it, minus a `file://` scheme: an absolute path
   * (V8, Python, Go), a bare file name (Java: `OrderService.java`), or a placeholder the
   * runtime printed instead of a file (`<anonymous>`, `native`, `Native Method`,
   * `Unknown Source`, `<generated>`, `<frozen importlib._bootstrap>`).
   */
  file: string;
  /**
   * The function as printed, without call arguments: `CartController.checkout` (V8, without
   * `async `/`new ` and the `[as alias]` suffix), `handle` (Python), `OrderService.process`
   * (Java: simple class name and method), `(*Service).Checkout` (Go: without the package).
   * `<anonymous>` when the runtime printed none.
   */
  function: string;
  line: number | null;
  column: number | null;
  /** Java: the class's fully qualified name; Go: the package path; Python: the dotted module
   *  when the file sits in site-/dist-packages or the standard library; V8: null. */
  module: string | null;
  /** True for the application's own code, false for runtime, standard-library and dependency
   *  frames (see in-app.ts). */
  inApp: boolean;
}

/** An exception further down the chain: Java `Caused by:`, an earlier Python traceback in a
 *  chain, a Node `[cause]:`, an inner stack of a Go pkg/errors wrap. */
export interface ExceptionCause {
  type: string | null;
  message: string | null;
  /** Innermost first. Java frames are completed with the enclosing trace's frames that
   *  `... N more` elided, so each list is the cause's whole stack. */
  frames: StackFrame[];
}

export interface ParsedStack {
  runtime: Runtime;
  /** The exception that was reported (outermost): Java's first line, Python's last traceback,
   *  Node's top error, Go's last `panic:` (type `panic`, `runtime.Error` or `fatal error`). */
  type: string | null;
  message: string | null;
  /** The reported exception's frames, innermost (where it was thrown) first, at most 200. */
  frames: StackFrame[];
  /** The chain below it, outermost first: the last entry is the root cause. Empty when none. */
  causes: ExceptionCause[];
}
