// Names along a call's receiver chain (`this.logger`, `log.WithField(..)`, `zap.L()`), so
// log and route detection can judge a call by what it is called on.
import type { Node } from 'web-tree-sitter';
import { type ClassicLanguage, type CodeLanguage, isPolyglot } from './types.js';

interface MemberShape {
  member: string;
  object: string;
  property: string;
  call: string;
  /** Field of the call node that holds what is called, e.g. `function`. */
  callee: string;
}

const SHAPES: Record<ClassicLanguage, MemberShape> = {
  typescript: {
    member: 'member_expression',
    object: 'object',
    property: 'property',
    call: 'call_expression',
    callee: 'function',
  },
  tsx: {
    member: 'member_expression',
    object: 'object',
    property: 'property',
    call: 'call_expression',
    callee: 'function',
  },
  javascript: {
    member: 'member_expression',
    object: 'object',
    property: 'property',
    call: 'call_expression',
    callee: 'function',
  },
  python: { member: 'attribute', object: 'object', property: 'attribute', call: 'call', callee: 'function' },
  go: {
    member: 'selector_expression',
    object: 'operand',
    property: 'field',
    call: 'call_expression',
    callee: 'function',
  },
  java: { member: 'field_access', object: 'object', property: 'field', call: 'method_invocation', callee: '' },
};

/** Identifiers of the receiver from the outside in: `this.logger` → [logger, this];
 *  `log.WithField("k", v)` → [WithField, log]. Bounded, so pathological chains stay cheap. */
export function receiverChain(node: Node, language: CodeLanguage): string[] {
  if (isPolyglot(language)) return receiverWords(node);
  const shape = SHAPES[language];
  const out: string[] = [];
  let n: Node | null = node;
  for (let depth = 0; n && depth < 8; depth++) {
    if (n.type === shape.member) {
      const p = n.childForFieldName(shape.property);
      if (p) out.push(p.text);
      n = n.childForFieldName(shape.object);
    } else if (n.type === shape.call) {
      if (language === 'java') {
        const name = n.childForFieldName('name');
        if (name) out.push(name.text);
        n = n.childForFieldName('object');
      } else {
        n = n.childForFieldName(shape.callee);
      }
    } else if (n.type === 'parenthesized_expression' || n.type === 'non_null_expression') {
      n = n.namedChild(0);
    } else {
      if (n.childCount === 0 || n.type === 'identifier') out.push(n.text);
      break;
    }
  }
  return out;
}

/** The identifiers of a receiver's text from the outside in, without sigils or call
 *  arguments: `$this->logger` → [logger, this], `Rails.logger` → [logger, Rails],
 *  `@logger` → [logger]. Bounded to the first 200 characters. */
export function receiverWords(node: Node): string[] {
  const text = node.text.slice(0, 200).replace(/\([^()]*\)/g, '');
  return (text.match(/[A-Za-z_]\w*/g) ?? []).reverse().slice(0, 8);
}

const LOGGER_NAME =
  /^(?:console|log|logs|logger|loggers|logging|slog|zap|zerolog|logrus|klog|glog|sugar|pino|winston|bunyan|consola|signale|structlog|loguru)$/i;
const LOGGER_SUFFIX = /(?:Log|Logger|_log|_logger|_LOG|_LOGGER)$/;

/** A name people give loggers: log, logger, LOGGER, _log, reqLog, appLogger, getLogger. */
export function isLoggerName(name: string): boolean {
  return LOGGER_NAME.test(name) || LOGGER_SUFFIX.test(name);
}

/** A short display name for the receiver: its source when simple (`this.logger`), else
 *  the chain up to the logger itself (`log.WithField("k", v)` → `log`,
 *  `s.logger.With(..)` → `s.logger`). */
export function receiverLabel(node: Node, chain: string[]): string {
  const text = node.text;
  if (text.length <= 60 && /^[\w$.?]+$/.test(text)) return text;
  const names = [...chain].reverse();
  let end = names.length;
  for (let i = names.length - 1; i >= 0; i--) {
    if (isLoggerName(names[i]!)) {
      end = i + 1;
      break;
    }
  }
  return names.slice(0, end).join('.');
}

/** The arguments of a call that are not comments (and, for Python, not keywords or
 *  splats). */
export function positionalArgs(args: Node, language: CodeLanguage): Node[] {
  const out: Node[] = [];
  for (const a of args.namedChildren) {
    if (a.type === 'comment') continue;
    if (
      language === 'python' &&
      (a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')
    ) {
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Python keyword arguments by name. */
export function keywordArgs(args: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const a of args.namedChildren) {
    if (a.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text;
    const value = a.childForFieldName('value');
    if (name && value) out.set(name, value);
  }
  return out;
}
