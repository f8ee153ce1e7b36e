// Reads the message of a log call or route path out of an expression: string literals,
// template literals and f-strings, concatenation, `"..." % args`, `"...".format()`,
// `String.format(...)` and `fmt.Sprintf(...)`. Whatever is not literal becomes `<*>`.
import type { Node } from 'web-tree-sitter';
import { WILDCARD, unescapeLiteral } from './log-template.js';
import type { CodeLanguage } from './types.js';

/** The expression's text with values replaced by `<*>` (placeholders are left for
 *  toTemplate), or null when the expression holds no string literal at all. */
export function renderMessage(node: Node, language: CodeLanguage): string | null {
  switch (language) {
    case 'python':
      return renderPython(node);
    case 'go':
      return renderGo(node);
    case 'java':
      return renderJava(node);
    default:
      return renderJs(node);
  }
}

/** The value of a plain string literal (no interpolation), or null. */
export function stringValue(node: Node, language: CodeLanguage): string | null {
  switch (node.type) {
    case 'string':
      if (language === 'python') {
        return node.firstChild?.text.toLowerCase().includes('f') ? null : renderPython(node);
      }
      return renderJs(node);
    case 'template_string':
      return node.namedChildren.some((c) => c.type === 'template_substitution') ? null : renderJs(node);
    case 'interpreted_string_literal':
    case 'raw_string_literal':
    case 'string_literal':
      return renderMessage(node, language);
    default:
      return null;
  }
}

function operator(node: Node): string | undefined {
  return node.childForFieldName('operator')?.type;
}

/** `a + b + c` as one list of operands, left to right. */
function flattenPlus(node: Node, binaryType: string, out: Node[] = []): Node[] {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left) {
    if (left.type === binaryType && operator(left) === '+') flattenPlus(left, binaryType, out);
    else out.push(left);
  }
  if (right) out.push(right);
  return out;
}

function concat(operands: Node[], render: (n: Node) => string | null): string | null {
  let out = '';
  let anyText = false;
  let lastWild = false;
  for (const operand of operands) {
    const r = render(operand);
    if (r !== null) {
      out += r;
      anyText = true;
      lastWild = false;
    } else if (!lastWild) {
      out += WILDCARD;
      lastWild = true;
    }
  }
  return anyText ? out : null;
}

/** The node's text between `open` and `close` quote lengths, with the listed child
 *  kinds (interpolations) replaced by `<*>`. */
function spliceOut(node: Node, open: number, close: number, holes: string[]): string {
  const text = node.text;
  const base = node.startIndex;
  let out = '';
  let at = open;
  for (const child of node.namedChildren) {
    if (!holes.includes(child.type)) continue;
    const s = child.startIndex - base;
    out += text.slice(at, s) + WILDCARD;
    at = child.endIndex - base;
  }
  return out + text.slice(at, text.length - close);
}

function firstArg(call: Node): Node | null {
  const args = call.childForFieldName('arguments');
  if (!args) return null;
  for (const a of args.namedChildren) if (a.type !== 'comment') return a;
  return null;
}

function renderJs(node: Node): string | null {
  switch (node.type) {
    case 'string':
      return unescapeLiteral(node.text.slice(1, -1));
    case 'template_string':
      return unescapeLiteral(spliceOut(node, 1, 1, ['template_substitution']));
    case 'binary_expression':
      return operator(node) === '+' ? concat(flattenPlus(node, 'binary_expression'), renderJs) : null;
    case 'parenthesized_expression':
      return node.namedChild(0) ? renderJs(node.namedChild(0)!) : null;
    case 'call_expression': {
      // util.format('...', x) and format('...', x)
      const fn = node.childForFieldName('function');
      const name = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : fn?.text;
      const arg = firstArg(node);
      return name === 'format' && arg ? renderJs(arg) : null;
    }
    default:
      return null;
  }
}

function renderPython(node: Node): string | null {
  switch (node.type) {
    case 'string': {
      const start = node.firstChild;
      const end = node.lastChild;
      if (start?.type !== 'string_start' || end?.type !== 'string_end') return null;
      const prefix = start.text.toLowerCase();
      const body = spliceOut(node, start.text.length, end.text.length, ['interpolation']);
      return prefix.includes('r') ? body : unescapeLiteral(body);
    }
    case 'concatenated_string':
      return concat(node.namedChildren, renderPython);
    case 'binary_operator': {
      const op = operator(node);
      if (op === '%') return renderPython(node.childForFieldName('left')!);
      return op === '+' ? concat(flattenPlus(node, 'binary_operator'), renderPython) : null;
    }
    case 'parenthesized_expression':
      return node.namedChild(0) ? renderPython(node.namedChild(0)!) : null;
    case 'call': {
      // "...".format(x)
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return null;
      const obj = fn.childForFieldName('object');
      return obj ? renderPython(obj) : null;
    }
    default:
      return null;
  }
}

const GO_FORMATTERS = new Set(['Sprintf', 'Sprint', 'Sprintln', 'Errorf']);

function renderGo(node: Node): string | null {
  switch (node.type) {
    case 'interpreted_string_literal':
      return unescapeLiteral(node.text.slice(1, -1));
    case 'raw_string_literal':
      return node.text.slice(1, -1);
    case 'binary_expression':
      return operator(node) === '+' ? concat(flattenPlus(node, 'binary_expression'), renderGo) : null;
    case 'parenthesized_expression':
      return node.namedChild(0) ? renderGo(node.namedChild(0)!) : null;
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'selector_expression') return null;
      const pkg = fn.childForFieldName('operand')?.text;
      const name = fn.childForFieldName('field')?.text ?? '';
      const arg = firstArg(node);
      return pkg === 'fmt' && GO_FORMATTERS.has(name) && arg ? renderGo(arg) : null;
    }
    default:
      return null;
  }
}

function renderJava(node: Node): string | null {
  switch (node.type) {
    case 'string_literal': {
      const text = node.text;
      const q = text.startsWith('"""') ? 3 : 1;
      return unescapeLiteral(text.slice(q, -q));
    }
    case 'binary_expression':
      return operator(node) === '+' ? concat(flattenPlus(node, 'binary_expression'), renderJava) : null;
    case 'parenthesized_expression':
      return node.namedChild(0) ? renderJava(node.namedChild(0)!) : null;
    case 'method_invocation': {
      // String.format([locale,] "...", x), MessageFormat.format("...", x), "...".formatted(x)
      const name = node.childForFieldName('name')?.text;
      const obj = node.childForFieldName('object');
      if (name === 'formatted' && obj) return renderJava(obj);
      if (name !== 'format') return null;
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      for (const a of args) {
        const r = renderJava(a);
        if (r !== null) return r;
      }
      return null;
    }
    default:
      return null;
  }
}
