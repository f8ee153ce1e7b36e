// Calls and strings in C#, Rust, Ruby, PHP and C++: the candidate calls of a file (found
// like call-candidates.ts does, by scanning the text and asking the tree for the node at each
// hit), their log statements (Microsoft.Extensions.Logging, Serilog, NLog; Rust's log and
// tracing macros; Ruby's Logger; PSR-3 and Laravel's Log facade; spdlog and logger objects
// in C++) and the message templates of their string expressions.
import type { Node, Tree } from 'web-tree-sitter';
import { WILDCARD, toTemplate, unescapeLiteral } from './log-template.js';
import { isLoggerName, receiverLabel, receiverWords } from './receiver.js';
import type { ExtractedCallsite, PolyglotLanguage } from './types.js';

/** A call `recv.name(args)`, `Scope::name(args)`, `name(args)` or a Rust macro `name!(..)`. */
export interface PolyCall {
  node: Node;
  name: Node;
  /** What the call is made on (`$this->logger`, `Log`, `log::`), or null for a bare call. */
  recv: Node | null;
  /** The argument expressions, in order (a macro's token tree children). */
  args: Node[];
  macro: boolean;
}

const LOG_NAMES: Record<PolyglotLanguage, RegExp> = {
  csharp:
    /^(?:Log(?:Trace|Debug|Information|Warning|Error|Critical)?|Verbose|Debug|Information|Warning|Error|Fatal|Trace|Info|Warn)$/,
  rust: /^(?:trace|debug|info|warn|error|event)$/,
  ruby: /^(?:debug|info|warn|error|fatal|unknown)$/,
  php: /^(?:debug|info|notice|warning|error|critical|alert|emergency|log)$/,
  cpp: /^(?:trace|debug|info|warn|error|critical|Trace|Debug|Info|Warn|Error|Critical|Fatal)$/,
};

/** Route registration names per language (see polyglot-routes.ts). */
export const POLY_ROUTE_NAMES: Record<PolyglotLanguage, RegExp> = {
  csharp: /^Map(?:Get|Post|Put|Delete|Patch|Methods)$/,
  rust: /^route$/,
  ruby: /^(?:get|post|put|patch|delete)$/,
  php: /^(?:get|post|put|patch|delete|options|any|map)$/,
  cpp: /^(?:Get|Post|Put|Patch|Delete|Options|CROW_ROUTE)$/,
};

const SCAN: Record<PolyglotLanguage, RegExp> = {
  csharp:
    /\b(Log(?:Trace|Debug|Information|Warning|Error|Critical)?|Verbose|Debug|Information|Warning|Error|Fatal|Trace|Info|Warn|Map(?:Get|Post|Put|Delete|Patch|Methods))\s*(?:<[^>\n]*>)?\s*\(/dg,
  rust: /\b(trace|debug|info|warn|error|event)\s*!\s*[([{]|\.\s*(route)\s*\(/dg,
  ruby: /(?:^|[^\w:])(debug|info|warn|error|fatal|unknown|get|post|put|patch|delete)\b(?!\s*[=:?!])/dgm,
  php: /(?:->|::)\s*(debug|info|notice|warning|error|critical|alert|emergency|log|get|post|put|patch|delete|options|any|map)\s*\(/dg,
  cpp: /\b(trace|debug|info|warn|error|critical|Trace|Debug|Info|Warn|Error|Critical|Fatal|Get|Post|Put|Patch|Delete|Options|CROW_ROUTE)\s*\(/dg,
};

function firstNamed(n: Node): Node | null {
  for (const c of n.namedChildren) if (c.type !== 'comment') return c;
  return null;
}

function argList(args: Node | null): Node[] {
  if (!args) return [];
  const out: Node[] = [];
  for (const a of args.namedChildren) {
    if (a.type === 'comment') continue;
    // C# and PHP wrap each argument; the expression is inside.
    if (a.type === 'argument') {
      const inner = a.namedChildren.filter((c) => c.type !== 'name' && c.type !== 'comment').at(-1) ?? firstNamed(a);
      if (inner) out.push(inner);
    } else out.push(a);
  }
  return out;
}

/** The call around a name found by the scan, or null when the name is not a call's. */
function callAt(name: Node, language: PolyglotLanguage): PolyCall | null {
  const parent = name.parent;
  if (!parent) return null;
  switch (language) {
    case 'csharp': {
      if (parent.type === 'invocation_expression' && parent.childForFieldName('function')?.id === name.id)
        return { node: parent, name, recv: null, args: argList(parent.childForFieldName('arguments')), macro: false };
      const holder = parent.type === 'generic_name' ? parent.parent : parent;
      if (holder?.type !== 'member_access_expression') return null;
      const call = holder.parent;
      if (call?.type !== 'invocation_expression' || call.childForFieldName('function')?.id !== holder.id) return null;
      const recv = holder.childForFieldName('expression');
      return { node: call, name, recv, args: argList(call.childForFieldName('arguments')), macro: false };
    }
    case 'rust': {
      let macro: Node | null = null;
      if (parent.type === 'macro_invocation') macro = parent;
      else if (parent.type === 'scoped_identifier' && parent.parent?.type === 'macro_invocation') macro = parent.parent;
      if (macro) {
        const tree = macro.namedChildren.find((c) => c.type === 'token_tree') ?? null;
        const recv = parent.type === 'scoped_identifier' ? parent.childForFieldName('path') : null;
        return { node: macro, name, recv, args: tree ? tree.namedChildren : [], macro: true };
      }
      if (parent.type !== 'field_expression') return null;
      const call = parent.parent;
      if (call?.type !== 'call_expression') return null;
      return {
        node: call,
        name,
        recv: parent.childForFieldName('value'),
        args: argList(call.childForFieldName('arguments')),
        macro: false,
      };
    }
    case 'ruby': {
      if (parent.type !== 'call' || parent.childForFieldName('method')?.id !== name.id) return null;
      return {
        node: parent,
        name,
        recv: parent.childForFieldName('receiver'),
        args: argList(parent.childForFieldName('arguments')),
        macro: false,
      };
    }
    case 'php': {
      if (parent.type !== 'member_call_expression' && parent.type !== 'scoped_call_expression') return null;
      if (parent.childForFieldName('name')?.id !== name.id) return null;
      const recv = parent.childForFieldName(parent.type === 'member_call_expression' ? 'object' : 'scope');
      return { node: parent, name, recv, args: argList(parent.childForFieldName('arguments')), macro: false };
    }
    case 'cpp': {
      if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === name.id)
        return { node: parent, name, recv: null, args: argList(parent.childForFieldName('arguments')), macro: false };
      let recv: Node | null = null;
      if (parent.type === 'field_expression') recv = parent.childForFieldName('argument');
      else if (parent.type === 'qualified_identifier') recv = parent.childForFieldName('scope');
      else return null;
      const call = parent.parent;
      if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== parent.id) return null;
      return { node: call, name, recv, args: argList(call.childForFieldName('arguments')), macro: false };
    }
  }
}

/** Calls whose name could make them a log statement or a route registration. */
export function polyCandidateCalls(tree: Tree, source: string, language: PolyglotLanguage): PolyCall[] {
  const root = tree.rootNode;
  const out: PolyCall[] = [];
  const seen = new Set<number>();
  for (const m of source.matchAll(SCAN[language])) {
    const group = m.indices![1] ?? m.indices![2];
    if (!group) continue;
    const at = group[0];
    const name = root.descendantForIndex(at);
    if (!name || name.startIndex !== at || name.childCount > 0) continue;
    const call = callAt(name, language);
    if (call && !seen.has(call.node.id)) {
      seen.add(call.node.id);
      out.push(call);
    }
  }
  return out;
}

// ---------------------------------------------------------------- strings

const STRING_TYPES = new Set([
  'string_literal',
  'verbatim_string_literal',
  'raw_string_literal',
  'interpolated_string_expression',
  'string',
  'encapsed_string',
  'heredoc',
  'nowdoc',
]);
const DELIMITER = /start$|end$|quote|brace|delimiter|^heredoc|^nowdoc/;
const FORMATTERS = new Set(['format', 'Format', 'sprintf', 'StrFormat', 'string', 'String', 'vformat']);

/** A string literal's text with interpolations as `<*>`, or null when the node is none. */
function literal(node: Node): string | null {
  if (!STRING_TYPES.has(node.type)) return null;
  if (node.namedChildCount === 0) {
    // A literal with no content children: '' or a grammar that keeps the body unparsed.
    const t = node.text;
    const m = /^[@$]*(?:r#*)?(["'])([\s\S]*)\1#*$/.exec(t);
    return m ? unescapeLiteral(m[2]!) : '';
  }
  let out = '';
  for (const c of node.namedChildren) {
    if (/content$|^string_fragment$/.test(c.type)) out += c.text;
    else if (c.type === 'escape_sequence') out += unescapeLiteral(c.text);
    else if (DELIMITER.test(c.type)) continue;
    else out += WILDCARD;
  }
  return out;
}

function operatorOf(node: Node): string {
  const op = node.childForFieldName('operator');
  if (op) return op.type;
  const left = node.childForFieldName('left');
  const next = left?.nextSibling;
  return next && !next.isNamed ? next.type : '';
}

/** The message an expression renders to, or null when it holds no string literal. */
export function renderPoly(node: Node, depth = 0): string | null {
  if (depth > 6) return null;
  const lit = literal(node);
  if (lit !== null) return lit;
  switch (node.type) {
    case 'concatenated_string': {
      const parts = node.namedChildren.map((c) => renderPoly(c, depth + 1));
      return parts.some((p) => p !== null) ? parts.map((p) => p ?? WILDCARD).join('') : null;
    }
    case 'binary_expression':
    case 'binary': {
      const op = operatorOf(node);
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return null;
      if (op === '%') return renderPoly(left, depth + 1);
      if (op !== '+' && op !== '.') return null;
      const l = renderPoly(left, depth + 1);
      const r = renderPoly(right, depth + 1);
      if (l === null && r === null) return null;
      return (l ?? WILDCARD) + (r ?? WILDCARD);
    }
    case 'parenthesized_expression':
      return node.namedChild(0) ? renderPoly(node.namedChild(0)!, depth + 1) : null;
    case 'macro_invocation':
    case 'invocation_expression':
    case 'call_expression':
    case 'function_call_expression':
    case 'call': {
      // format!("..", x), string.Format("..", x), sprintf('..', $x), fmt::format("..", x), std::string("..")
      const fn =
        node.childForFieldName('macro') ?? node.childForFieldName('function') ?? node.childForFieldName('method');
      const name = /(\w+)$/.exec(fn?.text ?? '')?.[1] ?? '';
      if (!FORMATTERS.has(name)) return null;
      const args =
        node.type === 'macro_invocation'
          ? (node.namedChildren.find((c) => c.type === 'token_tree')?.namedChildren ?? [])
          : argList(node.childForFieldName('arguments'));
      for (const a of args) {
        const r = renderPoly(a, depth + 1);
        if (r !== null) return r;
      }
      return null;
    }
    default:
      return null;
  }
}

/** The value of a plain string literal (no interpolation), or null. */
export function polyString(node: Node): string | null {
  const lit = literal(node);
  return lit === null || lit.includes(WILDCARD) ? null : lit;
}

// ---------------------------------------------------------------- log statements

const LEVEL_WORDS: Record<string, string | null> = {
  trace: 'trace',
  verbose: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  fatal: 'fatal',
  alert: 'fatal',
  emergency: 'fatal',
  unknown: null,
};

function levelWord(word: string): string | null {
  return LEVEL_WORDS[word.replace(/^Log(?=[A-Z])/, '').toLowerCase()] ?? null;
}

const RUST_LOG_CRATES = /^(?:log|tracing|slog|defmt)$/;
const CPP_LOG_SCOPES = /^(?:spdlog|glog|plog|loguru|quill|LOG)$/i;

/** Rust: the message is the first string literal not given to a field (`target: "x"`,
 *  `name = "q"`); the arguments of `event!` start with its level. */
function rustMessage(args: Node[]): { message: Node; level: string | null } | null {
  let level: string | null = null;
  for (const a of args) {
    if (level === null && /Level::(\w+)$/.test(a.text)) level = levelWord(/Level::(\w+)$/.exec(a.text)![1]!);
    if (a.type !== 'string_literal' && a.type !== 'raw_string_literal') continue;
    const before = a.previousSibling;
    if (before && (before.type === '=' || before.type === ':')) continue;
    return { message: a, level };
  }
  return null;
}

/** The call site, or null when the call is not a log statement or has no literal message. */
export function polyLogCallsite(call: PolyCall, language: PolyglotLanguage): Omit<ExtractedCallsite, 'symbol'> | null {
  const method = call.name.text;
  if (!LOG_NAMES[language].test(method)) return null;
  let level = levelWord(method);
  let args = call.args;
  let logger: string;
  if (call.macro) {
    const path = call.recv?.text ?? null;
    if (path !== null && !RUST_LOG_CRATES.test(path.split('::').pop() ?? '')) return null;
    const found = rustMessage(args);
    if (!found) return null;
    if (method === 'event') level = found.level;
    args = [found.message];
    logger = path ?? 'log';
  } else {
    if (!call.recv) return null;
    const words = receiverWords(call.recv);
    const isLogger = words.some(isLoggerName) || (language === 'cpp' && words.some((w) => CPP_LOG_SCOPES.test(w)));
    if (!isLogger) return null;
    // logger.Log(LogLevel.Warning, "..."), $logger->log('warning', '...')
    if ((method === 'Log' || method === 'log') && args.length >= 2) {
      const first = args[0]!;
      const word = polyString(first) ?? /(\w+)$/.exec(first.text)?.[1] ?? '';
      const named = levelWord(word);
      if (named !== null || /LogLevel|Level/.test(first.text)) {
        level = named;
        args = args.slice(1);
      }
    }
    logger = receiverLabel(call.recv, words);
  }
  for (const a of args) {
    const message = renderPoly(a);
    if (message === null) continue;
    return {
      line: call.name.startPosition.row + 1,
      logger,
      level,
      template: toTemplate(message),
      raw: a.text,
    };
  }
  return null;
}
