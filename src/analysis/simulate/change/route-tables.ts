// Routes declared as data rather than by a router call: a table of `[method, path, handler]`
// tuples (a hand-rolled router over node:http, Python's `[("GET", "/x", view)]`) or objects
// `{ method, path | url, handler }` (hapi's server.route). analysis/code finds router calls,
// decorators and annotations; these are the registrations it does not see.
import type { Node, Tree } from 'web-tree-sitter';
import { type CodeLanguage, stringValue } from '../../code/index.js';

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ALL', '*']);

export interface TableRoute {
  /** The tuple or object: its lines are the registration and its inline handler. */
  startLine: number;
  endLine: number;
  method: string | null;
  path: string;
  /** The handler's name when it is a name (`showCart`, `views.cart`), else null (inline). */
  handler: string | null;
}

const SEQUENCES: Partial<Record<CodeLanguage, readonly string[]>> = {
  javascript: ['array'],
  typescript: ['array'],
  tsx: ['array'],
  python: ['list', 'tuple'],
};
const MAPS: Partial<Record<CodeLanguage, { type: string; pair: string }>> = {
  javascript: { type: 'object', pair: 'pair' },
  typescript: { type: 'object', pair: 'pair' },
  tsx: { type: 'object', pair: 'pair' },
  python: { type: 'dictionary', pair: 'pair' },
};
const NAME_TYPES = new Set(['identifier', 'member_expression', 'attribute']);

function methodOf(text: string | null): string | null | undefined {
  if (text === null) return undefined;
  const m = text.toUpperCase();
  if (!HTTP_METHODS.has(m)) return undefined;
  return m === 'ALL' || m === '*' ? null : m;
}

function handlerName(node: Node | undefined): string | null {
  return node && NAME_TYPES.has(node.type) ? node.text.replace(/^(this|self)\./, '') : null;
}

function lines(node: Node): { startLine: number; endLine: number } {
  return { startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 };
}

// Cheap gates on the source text before walking the tree's arrays and objects.
const METHOD_LITERAL = /['"`](?:get|post|put|delete|patch|head|options|all)['"`]/i;
const ROUTE_KEYS = /\bmethod\b[\s\S]*\bhandler\b|\bhandler\b[\s\S]*\bmethod\b/;

/** The route tables of one file, in source order. */
export function tableRoutes(tree: Tree, language: CodeLanguage, source: string): TableRoute[] {
  const out: TableRoute[] = [];
  if (!METHOD_LITERAL.test(source)) return out;
  const seqTypes = SEQUENCES[language];
  if (seqTypes) {
    for (const node of tree.rootNode.descendantsOfType([...seqTypes])) {
      const items = node.namedChildren.filter((c) => c.type !== 'comment');
      if (items.length < 3) continue;
      const method = methodOf(stringValue(items[0]!, language));
      const path = stringValue(items[1]!, language);
      if (method === undefined || path === null || !path.startsWith('/')) continue;
      out.push({ ...lines(node), method, path, handler: handlerName(items.at(-1)) });
    }
  }
  const map = MAPS[language];
  if (map && ROUTE_KEYS.test(source)) {
    for (const node of tree.rootNode.descendantsOfType(map.type)) {
      const fields = new Map<string, Node>();
      for (const p of node.namedChildren) {
        if (p.type !== map.pair) continue;
        const key = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        if (!key || !value) continue;
        const name = key.type === 'string' ? stringValue(key, language) : key.text;
        if (name) fields.set(name, value);
      }
      const methodNode = fields.get('method');
      const pathNode = fields.get('path') ?? fields.get('url');
      const handler = fields.get('handler');
      if (!methodNode || !pathNode || !handler) continue;
      const method = methodOf(stringValue(methodNode, language));
      const path = stringValue(pathNode, language);
      if (method === undefined || path === null || !path.startsWith('/')) continue;
      out.push({ ...lines(node), method, path, handler: handlerName(handler) });
    }
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}
