// Per-language syntax for sim-change's references: which nodes are calls and member accesses,
// what a call calls (its name and receiver), and whether a name is declared or used.
import type { Node } from 'web-tree-sitter';
import type { CodeLanguage } from '../../code/index.js';
import type { CodeRef } from './types.js';

export interface Shape {
  calls: readonly string[];
  /** Member access (`a.b`): its node type and the fields of its object and property. */
  member: string;
  object: string;
  property: string;
  identifiers: readonly string[];
  comments: readonly string[];
  /** Parents under which a name or member access is a value handed on (a callback). */
  valueParents: ReadonlySet<string>;
}

const JS_VALUES = new Set([
  'arguments',
  'array',
  'pair',
  'return_statement',
  'variable_declarator',
  'assignment_expression',
  'export_statement',
  'parenthesized_expression',
  'ternary_expression',
  'binary_expression',
]);

const JS: Shape = {
  calls: ['call_expression', 'new_expression'],
  member: 'member_expression',
  object: 'object',
  property: 'property',
  identifiers: ['identifier', 'shorthand_property_identifier'],
  comments: ['comment'],
  valueParents: JS_VALUES,
};

/** The languages change simulation follows calls in (the index parses more). */
export type ChangeLanguage = 'javascript' | 'typescript' | 'tsx' | 'python' | 'go' | 'java';

export const SHAPES: Record<ChangeLanguage, Shape> = {
  javascript: JS,
  typescript: JS,
  tsx: JS,
  python: {
    calls: ['call'],
    member: 'attribute',
    object: 'object',
    property: 'attribute',
    identifiers: ['identifier'],
    comments: ['comment'],
    valueParents: new Set([
      'argument_list',
      'list',
      'tuple',
      'pair',
      'return_statement',
      'assignment',
      'keyword_argument',
    ]),
  },
  go: {
    calls: ['call_expression'],
    member: 'selector_expression',
    object: 'operand',
    property: 'field',
    identifiers: ['identifier'],
    comments: ['comment'],
    valueParents: new Set(['argument_list', 'literal_value', 'keyed_element', 'return_statement', 'expression_list']),
  },
  java: {
    calls: ['method_invocation', 'object_creation_expression', 'method_reference'],
    member: 'field_access',
    object: 'object',
    property: 'field',
    identifiers: ['identifier'],
    comments: ['line_comment', 'block_comment'],
    valueParents: new Set(['argument_list', 'return_statement', 'variable_declarator']),
  },
};

const IMPORT_TYPES = new Set([
  'import_statement',
  'import_from_statement',
  'import_declaration',
  'import_specifier',
  'import_clause',
  'namespace_import',
  'export_specifier',
  'import_spec',
]);
const PARAMETER_PARENTS = new Set([
  'formal_parameters',
  'required_parameter',
  'optional_parameter',
  'parameters',
  'default_parameter',
  'typed_parameter',
  'typed_default_parameter',
  'parameter_declaration',
  'formal_parameter',
  'lambda_parameters',
  'catch_clause',
]);

/** The root name of a receiver chain: `this.store.get` → this; `log.With(x).Info` → log. */
export function rootOf(node: Node | null, shape: Shape): string | null {
  let n = node;
  for (let depth = 0; n && depth < 8; depth++) {
    if (n.type === shape.member) n = n.childForFieldName(shape.object);
    else if (shape.calls.includes(n.type)) n = n.childForFieldName('function') ?? n.childForFieldName('object');
    else if (n.type === 'parenthesized_expression' || n.type === 'non_null_expression') n = n.namedChild(0);
    else if (n.type === 'identifier' || n.type === 'this' || n.type === 'self') return n.text;
    else return null;
  }
  return null;
}

/** What a call calls: its name, and its receiver when it is a member call. */
export function calleeOf(call: Node, shape: Shape): Omit<CodeRef, 'unit'> | null {
  switch (call.type) {
    case 'new_expression': {
      const c = call.childForFieldName('constructor');
      if (c?.type === 'identifier') return { name: c.text, member: false, receiver: null, how: 'new' };
      if (c?.type === shape.member) {
        const p = c.childForFieldName(shape.property);
        return p
          ? { name: p.text, member: true, receiver: rootOf(c.childForFieldName(shape.object), shape), how: 'new' }
          : null;
      }
      return null;
    }
    case 'method_invocation': {
      const name = call.childForFieldName('name');
      const object = call.childForFieldName('object');
      if (!name) return null;
      return { name: name.text, member: object !== null, receiver: object ? rootOf(object, shape) : null, how: 'call' };
    }
    case 'object_creation_expression': {
      const type = call.childForFieldName('type');
      const name = type ? /(\w+)(?:<.*)?$/.exec(type.text)?.[1] : undefined;
      return name ? { name, member: false, receiver: null, how: 'new' } : null;
    }
    case 'method_reference': {
      const parts = call.namedChildren;
      const name = parts.at(-1);
      if (!name || parts.length < 2) return null;
      return { name: name.text, member: true, receiver: rootOf(parts[0]!, shape), how: 'value' };
    }
    default: {
      const fn = call.childForFieldName('function');
      if (!fn) return null;
      if (fn.type === 'identifier')
        return fn.text === 'require' ? null : { name: fn.text, member: false, receiver: null, how: 'call' };
      if (fn.type === shape.member) {
        const p = fn.childForFieldName(shape.property);
        return p
          ? { name: p.text, member: true, receiver: rootOf(fn.childForFieldName(shape.object), shape), how: 'call' }
          : null;
      }
      return null;
    }
  }
}

/** A name being declared (a definition's name, a parameter, an import) rather than used. */
export function isDeclaration(node: Node, shape: Shape): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (PARAMETER_PARENTS.has(parent.type)) return true;
  if (parent.type === shape.member && parent.childForFieldName(shape.property)?.startIndex === node.startIndex)
    return true;
  const named = parent.childForFieldName('name');
  if (named?.startIndex === node.startIndex && named.endIndex === node.endIndex) return true;
  if (parent.type === 'assignment_pattern' || parent.type === 'keyword_argument') {
    const left = parent.childForFieldName('left') ?? parent.childForFieldName('name');
    if (left?.startIndex === node.startIndex) return true;
  }
  for (let a: Node | null = parent, i = 0; a && i < 3; a = a.parent, i++) if (IMPORT_TYPES.has(a.type)) return true;
  return false;
}

/** The language when change simulation follows calls in it, else null. */
export function changeLanguage(language: CodeLanguage | null): ChangeLanguage | null {
  return language !== null && language in SHAPES ? (language as ChangeLanguage) : null;
}
