// One file at one revision as sim-change sees it: the index's symbols (analysis/code's own
// extraction of the same tree), route registrations with the lines of their inline handlers,
// top-level variables and the module's statements as units; and what each unit refers to
// (calls, `new`, functions passed as values), resolved later against the imports.
import type { Node, Tree } from 'web-tree-sitter';
import type { CodeLanguage, FileExtraction } from '../../code/index.js';
import { importsOf } from './imports.js';
import { tableRoutes } from './route-tables.js';
import { type ChangeLanguage, type Shape, SHAPES, calleeOf, isDeclaration, rootOf } from './syntax.js';
import type { CodeRef, CodeUnit, FileCode, LogSite, RouteFacts } from './types.js';

const FUNCTION_VALUES = new Set([
  'arrow_function',
  'function_expression',
  'function',
  'generator_function',
  'class',
  'lambda',
  'func_literal',
]);
/** Top-level variables whose value is not a function or class (those are symbols already). */
function topLevelVariables(tree: Tree, language: CodeLanguage): Array<{ name: string; node: Node }> {
  const out: Array<{ name: string; node: Node }> = [];
  for (let stmt of tree.rootNode.namedChildren) {
    if (stmt.type === 'export_statement') stmt = stmt.childForFieldName('declaration') ?? stmt;
    if (language === 'python' && stmt.type === 'expression_statement') {
      const a = stmt.namedChild(0);
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
      const right = a?.childForFieldName('right');
      if (left?.type === 'identifier' && right && !FUNCTION_VALUES.has(right.type))
        out.push({ name: left.text, node: stmt });
    } else if (stmt.type === 'lexical_declaration' || stmt.type === 'variable_declaration') {
      for (const d of stmt.namedChildren) {
        if (d.type !== 'variable_declarator') continue;
        const name = d.childForFieldName('name');
        const value = d.childForFieldName('value');
        if (name?.type !== 'identifier' || !value || FUNCTION_VALUES.has(value.type)) continue;
        if (value.type === 'call_expression' && value.childForFieldName('function')?.text === 'require') continue;
        out.push({ name: name.text, node: stmt.namedChildren.length === 1 ? stmt : d });
      }
    } else if (language === 'go' && (stmt.type === 'var_declaration' || stmt.type === 'const_declaration')) {
      for (const spec of stmt.descendantsOfType(['var_spec', 'const_spec'])) {
        for (const n of spec.childrenForFieldName('name')) out.push({ name: n.text, node: spec });
      }
    }
  }
  return out;
}

/** The call that registers a router route on this line, holding the path among its arguments. */
function registration(tree: Tree, shape: Shape, line: number, path: string): Node | null {
  const row = line - 1;
  let best: Node | null = null;
  for (const call of tree.rootNode.descendantsOfType(
    [...shape.calls],
    { row, column: 0 },
    { row: row + 1, column: 0 },
  )) {
    if (call.startPosition.row !== row) continue;
    const args = call.childForFieldName('arguments');
    if (!args?.namedChildren.some((a) => a.text.includes(path))) continue;
    if (!best || call.endIndex - call.startIndex < best.endIndex - best.startIndex) best = call;
  }
  return best;
}

/** Lines with nothing but whitespace and comments. */
function quietLines(tree: Tree, source: string, shape: Shape): number[] {
  const lines = source.split('\n');
  const spans = new Map<number, Array<[number, number]>>();
  for (const c of tree.rootNode.descendantsOfType([...shape.comments])) {
    for (let r = c.startPosition.row; r <= c.endPosition.row; r++) {
      const from = r === c.startPosition.row ? c.startPosition.column : 0;
      const to = r === c.endPosition.row ? c.endPosition.column : Number.POSITIVE_INFINITY;
      const list = spans.get(r);
      if (list) list.push([from, to]);
      else spans.set(r, [[from, to]]);
    }
  }
  const out: number[] = [];
  lines.forEach((text, r) => {
    let rest = text;
    const cut = spans.get(r);
    if (cut) {
      let kept = '';
      let at = 0;
      for (const [from, to] of cut.sort((a, b) => a[0] - b[0])) {
        kept += text.slice(at, from);
        at = Math.max(at, to);
      }
      rest = kept + (at < text.length ? text.slice(at) : '');
    }
    if (!/\S/.test(rest)) out.push(r + 1);
  });
  return out;
}

function routeKey(r: RouteFacts): string {
  return `route ${r.method ?? '*'} ${r.path}`;
}

/**
 * The file's units and references. `extraction` must be analysis/code's extraction of the
 * same tree (its symbols, log call sites and router routes); `source` the text parsed.
 */
export function fileCode(
  path: string,
  language: ChangeLanguage,
  tree: Tree,
  source: string,
  extraction: FileExtraction,
  opts: { quietLines?: boolean } = {},
): FileCode {
  const shape = SHAPES[language];
  const lineCount = source.split('\n').length;
  const units: CodeUnit[] = [
    {
      key: '<module>',
      kind: 'module',
      name: '<module>',
      bare: '<module>',
      parent: null,
      symbolKind: null,
      startLine: 1,
      endLine: lineCount,
      route: null,
    },
  ];
  const taken = new Map<string, number>();
  const add = (u: Omit<CodeUnit, 'key'>, key: string): number => {
    const n = (taken.get(key) ?? 0) + 1;
    taken.set(key, n);
    units.push({ ...u, key: n === 1 ? key : `${key}#${n}` });
    return units.length - 1;
  };
  for (const s of extraction.symbols) {
    const name = s.parent ? `${s.parent}.${s.name}` : s.name;
    add(
      {
        kind: 'symbol',
        name,
        bare: s.name,
        parent: s.parent,
        symbolKind: s.kind,
        startLine: s.startLine,
        endLine: s.endLine,
        route: null,
      },
      name,
    );
  }
  for (const v of topLevelVariables(tree, language)) {
    const lines = { startLine: v.node.startPosition.row + 1, endLine: v.node.endPosition.row + 1 };
    add(
      { kind: 'variable', name: v.name, bare: v.name, parent: null, symbolKind: null, ...lines, route: null },
      `var ${v.name}`,
    );
  }
  const routeHandlers: Array<{ unit: number; handler: string }> = [];
  const seen = new Set<string>();
  const addRoute = (route: RouteFacts, startLine: number, endLine: number, handler: string | null) => {
    const unit = add(
      {
        kind: 'route',
        name: `${route.method ?? '*'} ${route.path}`,
        bare: route.path,
        parent: null,
        symbolKind: null,
        startLine,
        endLine,
        route,
      },
      routeKey(route),
    );
    if (handler) routeHandlers.push({ unit, handler });
  };
  for (const r of extraction.routes) {
    seen.add(`${r.line} ${r.path}`);
    const call = registration(tree, shape, r.line, r.path);
    const route = { method: r.method, path: r.path, framework: r.framework };
    addRoute(route, r.line, call ? call.endPosition.row + 1 : r.line, r.handler);
  }
  for (const r of tableRoutes(tree, language, source)) {
    if (seen.has(`${r.startLine} ${r.path}`)) continue;
    addRoute({ method: r.method, path: r.path, framework: 'route-table' }, r.startLine, r.endLine, r.handler);
  }

  // The innermost unit of each line: larger units first, the smaller ones written over them.
  const lineUnit = new Int32Array(lineCount + 2);
  const rank: Record<CodeUnit['kind'], number> = { module: 0, variable: 1, symbol: 2, route: 3 };
  const order = units
    .map((_u, i) => i)
    .slice(1)
    .sort((a, b) => {
      const ua = units[a]!;
      const ub = units[b]!;
      return ub.endLine - ub.startLine - (ua.endLine - ua.startLine) || rank[ua.kind] - rank[ub.kind] || a - b;
    });
  for (const i of order) {
    const u = units[i]!;
    for (let l = Math.max(1, u.startLine); l <= Math.min(lineCount, u.endLine); l++) lineUnit[l] = i;
  }
  const unitAt = (node: Node) => lineUnit[node.startPosition.row + 1] ?? 0;

  const { imports, reexports } = importsOf(tree, language);
  const refs: CodeRef[] = [];
  const refKeys = new Set<string>();
  const push = (unit: number, r: Omit<CodeRef, 'unit'>) => {
    const k = `${unit}\u0000${r.name}\u0000${r.member}\u0000${r.receiver ?? ''}\u0000${r.how}`;
    if (refKeys.has(k)) return;
    refKeys.add(k);
    refs.push({ unit, ...r });
  };
  for (const { unit, handler } of routeHandlers) {
    const parts = handler.split('.');
    const name = parts.pop()!;
    push(
      unit,
      parts.length
        ? { name, member: true, receiver: parts[0]!, how: 'value' }
        : { name, member: false, receiver: null, how: 'value' },
    );
  }
  for (const call of tree.rootNode.descendantsOfType([...shape.calls])) {
    const callee = calleeOf(call, shape);
    if (callee) push(unitAt(call), callee);
  }
  // Names used as values: only the file's own units and imports can resolve.
  const known = new Set<string>([...imports.map((i) => i.local), ...units.slice(1).map((u) => u.bare)]);
  for (const id of tree.rootNode.descendantsOfType([...shape.identifiers])) {
    const name = id.text;
    if (!known.has(name) || isDeclaration(id, shape)) continue;
    push(unitAt(id), { name, member: false, receiver: null, how: 'value' });
  }
  for (const m of tree.rootNode.descendantsOfType(shape.member)) {
    const parent = m.parent;
    if (!parent || !shape.valueParents.has(parent.type)) continue;
    const p = m.childForFieldName(shape.property);
    if (p)
      push(unitAt(m), {
        name: p.text,
        member: true,
        receiver: rootOf(m.childForFieldName(shape.object), shape),
        how: 'value',
      });
  }
  const logSites: LogSite[] = extraction.callsites.map((c) => ({
    unit: lineUnit[c.line] ?? 0,
    line: c.line,
    template: c.template,
  }));
  return {
    path,
    language,
    units,
    refs,
    imports,
    reexports,
    logSites,
    // Only a changed file's quiet lines are ever asked for.
    quietLines: opts.quietLines === false ? [] : quietLines(tree, source, shape),
  };
}

/** The innermost unit holding a line (0, the module, when none does). */
export function unitAtLine(code: FileCode, line: number): number {
  let best = 0;
  let span = Number.POSITIVE_INFINITY;
  const rank: Record<CodeUnit['kind'], number> = { module: 0, variable: 1, symbol: 2, route: 3 };
  code.units.forEach((u, i) => {
    if (i === 0 || line < u.startLine || line > u.endLine) return;
    const s = u.endLine - u.startLine;
    if (s < span || (s === span && rank[u.kind] >= rank[code.units[best]!.kind])) {
      best = i;
      span = s;
    }
  });
  return best;
}
