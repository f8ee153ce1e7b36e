// Finds the calls worth a look (log levels, route verbs) by scanning the source text and
// asking the tree for the node at each hit. A query over every call in a file would hand
// hundreds of thousands of matches across the wasm boundary; the scan hands over a few.
import type { Node, Tree } from 'web-tree-sitter';
import type { ClassicLanguage, CodeLanguage } from './types.js';

/** A call `recv.prop(args)`; `node` is the whole call expression. */
export interface MethodCall {
  node: Node;
  recv: Node;
  prop: Node;
  args: Node;
}

interface Shape {
  /** Group 1 is the called name; the `d` flag gives its offset. */
  scan: RegExp;
  /** Node types of the name, the member expression and the call around it. */
  name: string;
  member: string;
  call: string;
  object: string;
  property: string;
  callee: string;
}

const JS: Omit<Shape, 'scan'> = {
  name: 'property_identifier',
  member: 'member_expression',
  call: 'call_expression',
  object: 'object',
  property: 'property',
  callee: 'function',
};

// `[(<]`: TypeScript calls may carry type arguments, `fastify.get<{ Params: P }>(...)`.
const JS_SCAN =
  /\.\s*(log|info|warn|warning|error|debug|trace|fatal|verbose|silly|get|post|put|delete|del|patch|head|options|all|route)\s*[(<]/dg;

const SHAPES: Record<ClassicLanguage, Shape> = {
  typescript: { ...JS, scan: JS_SCAN },
  tsx: { ...JS, scan: JS_SCAN },
  javascript: { ...JS, scan: JS_SCAN },
  python: {
    scan: /\.\s*(debug|info|warning|warn|error|exception|critical|fatal|log|route|api_route|add_url_rule|get|post|put|delete|patch|head|options)\s*\(/dg,
    name: 'identifier',
    member: 'attribute',
    call: 'call',
    object: 'object',
    property: 'attribute',
    callee: 'function',
  },
  go: {
    scan: /\.\s*((?:Print|Trace|Debug|Info|Warn|Warning|Error|Fatal|Panic|DPanic)(?:f|ln|w|Context|Ctx)?|HandleFunc|Handle|MethodFunc|Method|Get|Post|Put|Delete|Patch|Head|Options|Connect|GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE|Any)\s*\(/dg,
    name: 'field_identifier',
    member: 'selector_expression',
    call: 'call_expression',
    object: 'operand',
    property: 'field',
    callee: 'function',
  },
  java: {
    scan: /\.\s*(trace|debug|info|warn|error|fatal|severe|warning|fine|finer|finest|config|log)\s*\(/dg,
    name: 'identifier',
    member: '',
    call: 'method_invocation',
    object: 'object',
    property: 'name',
    callee: '',
  },
};

/** Method calls whose name could make them a log statement or a route registration. */
export function candidateCalls(tree: Tree, source: string, language: ClassicLanguage): MethodCall[] {
  const shape = SHAPES[language];
  const root = tree.rootNode;
  const out: MethodCall[] = [];
  shape.scan.lastIndex = 0;
  for (const m of source.matchAll(shape.scan)) {
    const at = m.indices![1]![0];
    const prop = root.descendantForIndex(at);
    if (prop?.type !== shape.name || prop.startIndex !== at) continue;
    let call: Node | null;
    let recv: Node | null;
    if (language === 'java') {
      call = prop.parent;
      if (call?.type !== shape.call || call.childForFieldName('name')?.startIndex !== at) continue;
      recv = call.childForFieldName('object');
    } else {
      const member = prop.parent;
      if (member?.type !== shape.member || member.childForFieldName(shape.property)?.startIndex !== at) continue;
      call = member.parent;
      if (call?.type !== shape.call || call.childForFieldName(shape.callee)?.startIndex !== member.startIndex) continue;
      recv = member.childForFieldName(shape.object);
    }
    const args = call.childForFieldName('arguments');
    if (recv && args) out.push({ node: call, recv, prop, args });
  }
  return out;
}

const DJANGO_SCAN = /(?<![\w.])(path|re_path|url)\s*\(/dg;

/** Python calls of path(), re_path() and url(): Django's urlpatterns. */
export function candidateFunctionCalls(
  tree: Tree,
  source: string,
  language: CodeLanguage,
): Array<{ node: Node; fn: Node; args: Node }> {
  if (language !== 'python') return [];
  const out: Array<{ node: Node; fn: Node; args: Node }> = [];
  const root = tree.rootNode;
  for (const m of source.matchAll(DJANGO_SCAN)) {
    const at = m.indices![1]![0];
    const fn = root.descendantForIndex(at);
    if (fn?.type !== 'identifier' || fn.startIndex !== at) continue;
    const call = fn.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.startIndex !== at) continue;
    const args = call.childForFieldName('arguments');
    if (args?.type === 'argument_list') out.push({ node: call, fn, args });
  }
  return out;
}
