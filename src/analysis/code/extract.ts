// The pure extractor: one pass of the language's query over the tree (definitions and
// annotations) plus a scan of the source for candidate calls, turned into symbols, log
// call sites and routes.
import type { Node, QueryCapture, Tree } from 'web-tree-sitter';
import { candidateCalls, candidateFunctionCalls } from './call-candidates.js';
import { logCallsite } from './log-calls.js';
import { grpcImpls } from './grpc-impls.js';
import { polyCandidateCalls, polyLogCallsite } from './polyglot-calls.js';
import { polyAttributeRoutes, polyCallRoutes } from './polyglot-routes.js';
import type { CodeQueries } from './queries.js';
import {
  type Annotation,
  ROUTE_ANNOTATIONS,
  ROUTE_VERBS,
  callRoutes,
  decoratorRoutes,
  functionCallRoutes,
} from './routes.js';
import { type SymbolDraft, SymbolTable } from './symbol-table.js';
import {
  type CodeLanguage,
  type ExtractedCallsite,
  type ExtractedRoute,
  type FileExtraction,
  type PolyglotLanguage,
  type SymbolKind,
  isPolyglot,
} from './types.js';

/** The extraction algorithm's version: bump it when the same source would extract
 *  differently, so stored extractions made by an older version can be redone. */
export const CODE_EXTRACTION_ALGORITHM = 'code-extract@2';

function capture(captures: QueryCapture[], name: string): Node | undefined {
  for (const c of captures) if (c.name === name) return c.node;
  return undefined;
}

function draft(
  node: Node,
  name: string,
  kind: SymbolKind,
  parent: SymbolDraft['parent'],
  memberInType = false,
): SymbolDraft {
  return {
    name,
    kind,
    parent,
    memberInType,
    start: node.startIndex,
    end: node.endIndex,
    startRow: node.startPosition.row,
    endRow: node.endPosition.row,
  };
}

/** The name an object literal's methods belong to: `const handlers = { get() {} }`. */
function objectOwner(object: Node | null): string | null {
  const holder = object?.parent;
  if (holder?.type === 'variable_declarator') return holder.childForFieldName('name')?.text ?? null;
  if (holder?.type === 'pair') return holder.childForFieldName('key')?.text ?? null;
  return null;
}

function jsDefinition(kind: string, def: Node, captures: QueryCapture[]): SymbolDraft | null {
  const name = capture(captures, 'name')?.text;
  switch (kind) {
    case 'default':
      return draft(def, 'default', def.type === 'class' ? 'class' : 'function', null);
    case 'method': {
      if (!name) return null;
      const holder = def.parent;
      if (holder?.type === 'class_body') return draft(def, name, 'method', 'container');
      return draft(def, name, 'method', objectOwner(holder));
    }
    case 'pair':
      // { show: (ctx) => {} }: V8 names the function after the key, as stack traces show.
      return name ? draft(def, name, 'method', objectOwner(def.parent)) : null;
    case 'field':
      return name ? draft(def, name, 'method', 'container') : null;
    case 'assigned': {
      // Foo.prototype.bar = function () {}, exports.bar = () => {}, module.exports.bar = ...
      const owner = capture(captures, 'owner');
      if (!name || !owner) return null;
      const ownerText = owner.text;
      if (ownerText.endsWith('.prototype'))
        return draft(def, name, 'method', ownerText.slice(0, -'.prototype'.length).split('.').pop()!);
      if (ownerText === 'exports' || ownerText === 'module.exports') return draft(def, name, 'function', null);
      return null;
    }
    case 'function':
      return name ? draft(def, name, 'function', null) : null;
    default:
      return name ? draft(def, name, kind as SymbolKind, 'container') : null;
  }
}

/** `(s *Server)`, `(g Graph[T])`, `(*T)` → the receiver's type name. */
function goReceiverType(receiver: Node | undefined): string | null {
  if (!receiver) return null;
  return /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\)\s*$/.exec(receiver.text)?.[1] ?? null;
}

/** The type an `impl` block is for, when a Rust function sits directly in one. */
function rustImplType(def: Node): string | null {
  const holder = def.parent?.type === 'declaration_list' ? def.parent.parent : null;
  if (holder?.type !== 'impl_item') return null;
  return (
    holder
      .childForFieldName('type')
      ?.text.replace(/<[\s\S]*$/, '')
      .split('::')
      .pop() ?? null
  );
}

function polyDefinition(language: PolyglotLanguage, kind: string, def: Node, name: string): SymbolDraft | null {
  switch (language) {
    case 'rust': {
      if (kind !== 'function') return draft(def, name, kind as SymbolKind, null);
      const owner = rustImplType(def);
      return owner ? draft(def, name, 'method', owner) : draft(def, name, 'function', null);
    }
    case 'ruby':
      return kind === 'function'
        ? draft(def, name, 'function', null, true)
        : draft(def, name, kind as SymbolKind, 'container');
    case 'cpp': {
      if (kind !== 'function') return draft(def, name, kind as SymbolKind, 'container');
      // Foo::Convert defined outside its class; ~Foo, operator==
      const parts = name.replace(/<[^<>]*>/g, '').split('::');
      const last = parts.pop()!;
      if (parts.length > 0) return draft(def, last, 'method', parts.pop()!);
      return draft(def, last, 'function', null, true);
    }
    default:
      return draft(def, name, kind as SymbolKind, 'container');
  }
}

function definition(language: CodeLanguage, kind: string, def: Node, captures: QueryCapture[]): SymbolDraft | null {
  if (language === 'typescript' || language === 'tsx' || language === 'javascript')
    return jsDefinition(kind, def, captures);
  const name = capture(captures, 'name')?.text;
  if (!name) return null;
  if (isPolyglot(language)) return polyDefinition(language, kind, def, name);
  if (language === 'python') {
    return kind === 'function' ? draft(def, name, 'function', null, true) : draft(def, name, 'class', 'container');
  }
  if (language === 'go') {
    if (kind === 'method') return draft(def, name, 'method', goReceiverType(capture(captures, 'receiver')));
    if (kind === 'type')
      return draft(def, name, capture(captures, 'body')?.type === 'interface_type' ? 'interface' : 'type', null);
    return draft(def, name, 'function', null);
  }
  return draft(def, name, kind as SymbolKind, 'container');
}

/** The declaration a Java annotation or TS decorator belongs to, or null (parameters,
 *  fields, local variables). */
function annotated(annotation: Node, language: CodeLanguage): Node | null {
  const holder = annotation.parent;
  if (!holder) return null;
  if (language === 'java') return holder.type === 'modifiers' ? holder.parent : null;
  if (holder.type === 'class_body') {
    let next = annotation.nextNamedSibling;
    while (next && (next.type === 'decorator' || next.type === 'comment')) next = next.nextNamedSibling;
    return next?.type === 'method_definition' ? next : null;
  }
  if (holder.type === 'class_declaration' || holder.type === 'abstract_class_declaration') return holder;
  if (holder.type === 'export_statement') return holder.childForFieldName('declaration');
  return null;
}

function byLine<T extends { line: number }>(a: T, b: T): number {
  return a.line - b.line;
}

/** Extracts one file's symbols, log call sites and routes from its syntax tree. `queries`
 *  must have been compiled for `language`'s grammar (see compileQueries), and `source`
 *  must be the text the tree was parsed from. */
export function extractFromTree(
  tree: Tree,
  language: CodeLanguage,
  queries: CodeQueries,
  source: string,
): FileExtraction {
  if (queries.language !== language) throw new Error(`queries compiled for ${queries.language}, not ${language}`);
  const drafts: SymbolDraft[] = [];
  const annotationNodes: Array<{ node: Node; name: string; args: Node | null }> = [];
  for (const { captures } of queries.query.matches(tree.rootNode)) {
    for (const c of captures) {
      if (c.name.startsWith('def.')) {
        const d = definition(language, c.name.slice(4), c.node, captures);
        if (d) drafts.push(d);
        break;
      }
      if (c.name === 'annotation') {
        const name = capture(captures, 'ann')?.text.split('.').pop();
        if (name && ROUTE_ANNOTATIONS.has(name))
          annotationNodes.push({ node: c.node, name, args: capture(captures, 'annargs') ?? null });
        break;
      }
    }
  }

  const symbols = new SymbolTable(drafts);
  const grpc = grpcImpls(tree, language, source);
  const callsites: ExtractedCallsite[] = [];
  const routes: ExtractedRoute[] = [];
  if (isPolyglot(language)) {
    const calls = polyCandidateCalls(tree, source, language);
    for (const call of calls) {
      const site = polyLogCallsite(call, language);
      if (site) callsites.push({ ...site, symbol: symbols.qualified(symbols.innermostAt(call.node.startIndex)) });
    }
    routes.push(...polyCallRoutes(symbols, language, calls), ...polyAttributeRoutes(symbols, language, tree.rootNode));
    return { symbols: symbols.symbols, callsites: callsites.sort(byLine), routes: routes.sort(byLine), grpc };
  }
  const routeVerbs = ROUTE_VERBS[language];
  for (const call of candidateCalls(tree, source, language)) {
    const site = logCallsite(call, language);
    if (site) {
      callsites.push({ ...site, symbol: symbols.qualified(symbols.innermostAt(call.node.startIndex)) });
      continue;
    }
    if (routeVerbs.has(call.prop.text)) routes.push(...callRoutes(language, symbols, call));
  }
  for (const f of candidateFunctionCalls(tree, source, language))
    routes.push(...functionCallRoutes(language, symbols, f.node, f.fn, f.args));
  const annotations: Annotation[] = [];
  for (const a of annotationNodes) {
    const target = annotated(a.node, language);
    if (!target) continue;
    const owner = symbols.definedAt(target.startIndex);
    if (owner >= 0) annotations.push({ name: a.name, args: a.args, at: a.node, owner });
  }
  routes.push(...decoratorRoutes(language, symbols, annotations));
  return { symbols: symbols.symbols, callsites: callsites.sort(byLine), routes: routes.sort(byLine), grpc };
}
