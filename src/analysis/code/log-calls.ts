// Recognizes log statements among method calls (console, pino/winston/bunyan, Python
// logging, Go log/slog/zap/logrus, SLF4J/Log4j/JUL) and reads their message template.
import type { Node } from 'web-tree-sitter';
import type { MethodCall } from './call-candidates.js';
import { WILDCARD, countPrintfPlaceholders, normalizeLevel, toTemplate } from './log-template.js';
import { renderMessage, stringValue } from './message.js';
import { isLoggerName, positionalArgs, receiverChain, receiverLabel } from './receiver.js';
import type { CodeLanguage, ExtractedCallsite } from './types.js';

/** How the message is assembled from the arguments:
 *  first   — the first argument holding a string (pino's `(obj, 'msg %s', x)`, slog, SLF4J);
 *  util    — Node's util.format: the format, then every unused argument after a space;
 *  println — Go's Println: every argument, space-separated;
 *  sprint  — Go's Print: every argument, spaces only between two non-strings. */
type Style = 'first' | 'util' | 'println' | 'sprint';

/** `level: 'arg'` means the level is an argument (`logger.log('warn', ...)`,
 *  `logger.log(logging.INFO, ...)`, `log.log(Level.SEVERE, ...)`). */
interface Plan {
  level: string | null | 'arg';
  style: Style;
}

const JS_METHODS = new Set(['log', 'info', 'warn', 'warning', 'error', 'debug', 'trace', 'fatal', 'verbose', 'silly']);
const PY_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);
const JAVA_METHODS = new Set([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'severe',
  'warning',
  'fine',
  'finer',
  'finest',
  'config',
  'log',
]);
const GO_METHOD = /^(Print|Trace|Debug|Info|Warn|Warning|Error|Fatal|Panic|DPanic)(f|ln|w|Context|Ctx)?$/;

function plan(language: CodeLanguage, method: string, chain: string[]): Plan | null {
  switch (language) {
    case 'python':
      if (!PY_METHODS.has(method)) return null;
      return { level: method === 'log' ? 'arg' : normalizeLevel(method), style: 'first' };
    case 'java':
      if (!JAVA_METHODS.has(method)) return null;
      return { level: method === 'log' ? 'arg' : normalizeLevel(method), style: 'first' };
    case 'go': {
      const m = GO_METHOD.exec(method);
      if (!m) return null;
      const base = m[1]!;
      const suffix = m[2];
      const printLike = base === 'Print' || base === 'Fatal' || base === 'Panic';
      const style: Style = suffix === 'ln' ? 'println' : !suffix && printLike ? 'sprint' : 'first';
      return { level: base === 'Print' ? null : normalizeLevel(base), style };
    }
    default: {
      if (!JS_METHODS.has(method)) return null;
      const isConsole = chain.length === 1 && chain[0] === 'console';
      return {
        level: method === 'log' && !isConsole ? 'arg' : normalizeLevel(method),
        style: isConsole ? 'util' : 'first',
      };
    }
  }
}

/** The level named by a leading argument, if that argument is a level. */
function levelArgument(arg: Node | undefined, language: CodeLanguage): string | null {
  if (!arg) return null;
  const literal = stringValue(arg, language);
  if (literal !== null) return normalizeLevel(literal);
  const last = /([A-Za-z_]\w*)$/.exec(arg.text)?.[1];
  return last ? normalizeLevel(last) : null;
}

function span(args: Node, from: Node, to: Node): string {
  const text = args.text;
  return text.slice(from.startIndex - args.startIndex, to.endIndex - args.startIndex);
}

/** The call site, or null when the call is not a log statement or carries no literal
 *  message (`logger.error(err)` alone has nothing to match a log pattern with). */
export function logCallsite(call: MethodCall, language: CodeLanguage): Omit<ExtractedCallsite, 'symbol'> | null {
  const method = call.prop.text;
  const chain = receiverChain(call.recv, language);
  const p = plan(language, method, chain);
  if (!p || !chain.some(isLoggerName)) return null;
  let args = positionalArgs(call.args, language);
  let level: string | null;
  if (p.level === 'arg') {
    // winston's logger.log('info', msg) names a level; a bare JS logger.log(msg) is info;
    // SLF4J 2's fluent logger.atWarn().setCause(e).log(msg) names it in the chain.
    const fluent = chain.map((n) => /^at([A-Z][a-z]+)$/.exec(n)?.[1]).find((l) => l !== undefined);
    const named = args.length >= 2 ? levelArgument(args[0], language) : null;
    if (fluent !== undefined && normalizeLevel(fluent) !== null) {
      level = normalizeLevel(fluent);
    } else if (named !== null) {
      args = args.slice(1);
      level = named;
    } else {
      level = language === 'python' || language === 'java' ? null : 'info';
    }
  } else {
    level = p.level;
  }
  if (args.length === 0) return null;

  let message: string | null = null;
  let first: Node = args[0]!;
  let last: Node = first;
  if (p.style === 'first') {
    for (const a of args) {
      message = renderMessage(a, language);
      if (message !== null) {
        first = a;
        last = a;
        break;
      }
    }
  } else if (p.style === 'util') {
    const format = renderMessage(first, language);
    if (format !== null) {
      message = format;
      for (const extra of args.slice(1 + countPrintfPlaceholders(format)))
        message += ` ${stringValue(extra, language) ?? WILDCARD}`;
      last = args[args.length - 1]!;
    }
  } else {
    const parts = args.map((a) => renderMessage(a, language));
    if (parts.some((x) => x !== null)) {
      message = '';
      parts.forEach((part, i) => {
        const sep = i === 0 ? '' : p.style === 'println' || (part === null && parts[i - 1] === null) ? ' ' : '';
        message += sep + (part ?? WILDCARD);
      });
      last = args[args.length - 1]!;
    }
  }
  if (message === null) return null;
  return {
    line: call.prop.startPosition.row + 1,
    logger: receiverLabel(call.recv, chain),
    level,
    template: toTemplate(message),
    raw: span(call.args, first, last),
  };
}
