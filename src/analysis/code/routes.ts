// Recognizes HTTP route registrations: Express/Koa-router/Fastify/Hono calls, Flask and
// FastAPI decorators, Django urlpatterns, Go net/http, gorilla/mux, chi, gin and echo, and
// Spring, JAX-RS and NestJS annotations (with class-level prefixes).
import type { Node } from 'web-tree-sitter';
import type { MethodCall } from './call-candidates.js';
import { stringValue } from './message.js';
import { keywordArgs, positionalArgs, receiverChain } from './receiver.js';
import type { SymbolTable } from './symbol-table.js';
import type { ClassicLanguage, CodeLanguage, ExtractedRoute } from './types.js';

/** What a handler argument names: an identifier or member (`views.cart`), an inline
 *  function (the enclosing symbol stands in for it), or nothing a router would accept. */
type Handler = { name: string } | 'inline' | null;

interface Ctx {
  language: CodeLanguage;
  symbols: SymbolTable;
}

function route(
  ctx: Ctx,
  at: Node,
  fields: { framework: string; method: string | null; path: string; handler: Handler; owner?: number },
): ExtractedRoute {
  const owner = fields.owner ?? ctx.symbols.innermostAt(at.startIndex);
  const symbol = ctx.symbols.qualified(owner);
  const handler = fields.handler === 'inline' || fields.handler === null ? symbol : fields.handler.name;
  return {
    line: at.startPosition.row + 1,
    framework: fields.framework,
    method: fields.method === null ? null : fields.method.toUpperCase(),
    path: fields.path,
    handler,
    symbol,
  };
}

function strings(node: Node | null | undefined, language: CodeLanguage): string[] {
  if (!node) return [];
  const one = stringValue(node, language);
  if (one !== null) return [one];
  if (['array', 'list', 'tuple', 'element_value_array_initializer', 'set'].includes(node.type)) {
    return node.namedChildren.flatMap((c) => {
      const v = stringValue(c, language);
      return v === null ? [] : [v];
    });
  }
  return [];
}

/** `RequestMethod.GET`, `http.MethodGet`, `'get'` → GET. */
function methodName(node: Node, language: CodeLanguage): string | null {
  const literal = stringValue(node, language);
  const word = literal ?? /([A-Za-z]+)$/.exec(node.text)?.[1] ?? null;
  if (word === null) return null;
  const m = word.replace(/^Method/, '').toUpperCase();
  return HTTP_METHODS.has(m) ? m : null;
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

function isPathLike(p: string): boolean {
  return p.startsWith('/') || p === '*';
}

/** Joins a class-level prefix and a method path the way Spring, JAX-RS and Nest do. */
export function joinPath(prefix: string, path: string): string {
  const parts = [prefix, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

// ---------------------------------------------------------------- JS / TS

const JS_METHODS = new Set(['get', 'post', 'put', 'delete', 'del', 'patch', 'head', 'options', 'all']);
const JS_ROUTER =
  /^(?:app|application|server|srv|fastify|router|routes|route|r|koa|hono|instance)$|(?:Router|Routes|App|Server)$/i;

function jsHandler(node: Node | undefined, depth = 0): Handler {
  if (!node || depth > 3) return null;
  switch (node.type) {
    case 'identifier':
      return { name: node.text };
    case 'member_expression':
      return { name: node.text.replace(/^this\./, '') };
    case 'arrow_function':
    case 'function_expression':
    case 'function':
      return 'inline';
    case 'array':
      return jsHandler(node.namedChildren.filter((c) => c.type !== 'comment').at(-1), depth + 1);
    case 'call_expression': {
      // asyncHandler(fn), wrap(ctrl.get), ctrl.get.bind(ctrl)
      const fn = node.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'bind') {
        return jsHandler(fn.childForFieldName('object') ?? undefined, depth + 1);
      }
      const args = node.childForFieldName('arguments');
      return jsHandler(args?.namedChildren.filter((c) => c.type !== 'comment').at(-1), depth + 1);
    }
    default:
      return null;
  }
}

function jsRoutes(ctx: Ctx, call: MethodCall): ExtractedRoute[] {
  const verb = call.prop.text;
  const args = positionalArgs(call.args, ctx.language);
  if (verb === 'route') return fastifyRoute(ctx, call, args);
  if (!JS_METHODS.has(verb)) return [];
  const method = verb === 'all' ? null : verb === 'del' ? 'DELETE' : verb;

  // app.route('/book').get(h).post(h2)
  let r: Node | null = call.recv;
  while (r?.type === 'call_expression') {
    const fn = r.childForFieldName('function');
    if (fn?.type !== 'member_expression') break;
    const name = fn.childForFieldName('property')?.text ?? '';
    if (name === 'route') {
      const routeArgs = r.childForFieldName('arguments');
      const path = routeArgs ? strings(positionalArgs(routeArgs, ctx.language)[0], ctx.language)[0] : undefined;
      const base = fn.childForFieldName('object');
      const handler = jsHandler(args.at(-1));
      if (path === undefined || !isPathLike(path) || !base || !handler) return [];
      if (!JS_ROUTER.test(receiverChain(base, ctx.language)[0] ?? '')) return [];
      return [route(ctx, call.prop, { framework: 'express', method, path, handler })];
    }
    if (!JS_METHODS.has(name)) break;
    r = fn.childForFieldName('object');
  }

  // app.get('/x', ...handlers), router.get('name', '/x', ...handlers) (koa-router)
  if (args.length < 2) return [];
  const chain = receiverChain(call.recv, ctx.language);
  if (!JS_ROUTER.test(chain[0] ?? '')) return [];
  let path = stringValue(args[0]!, ctx.language);
  let framework = /fastify/i.test(chain[0]!) ? 'fastify' : 'express';
  let rest = args.slice(1);
  if (path !== null && !isPathLike(path) && args.length >= 3) {
    const named = stringValue(args[1]!, ctx.language);
    if (named !== null && isPathLike(named)) {
      path = named;
      framework = 'koa-router';
      rest = args.slice(2);
    }
  }
  if (path === null || !isPathLike(path)) return [];
  const handler = jsHandler(rest.at(-1));
  if (!handler) return [];
  return [route(ctx, call.prop, { framework, method, path, handler })];
}

/** fastify.route({ method: ['GET', 'HEAD'], url: '/x', handler }) */
function fastifyRoute(ctx: Ctx, call: MethodCall, args: Node[]): ExtractedRoute[] {
  const options = args[0];
  if (options?.type !== 'object' || !JS_ROUTER.test(receiverChain(call.recv, ctx.language)[0] ?? '')) return [];
  let methods: string[] = [];
  let path: string | undefined;
  let handler: Handler = null;
  for (const entry of options.namedChildren) {
    if (entry.type === 'shorthand_property_identifier' && entry.text === 'handler') handler = { name: 'handler' };
    if (entry.type === 'method_definition' && entry.childForFieldName('name')?.text === 'handler') handler = 'inline';
    if (entry.type !== 'pair') continue;
    const key = entry.childForFieldName('key');
    const value = entry.childForFieldName('value');
    const k = key ? (stringValue(key, ctx.language) ?? key.text) : '';
    if (!value) continue;
    if (k === 'method') methods = strings(value, ctx.language);
    else if (k === 'url' || k === 'path') path = strings(value, ctx.language)[0];
    else if (k === 'handler') handler = jsHandler(value);
  }
  if (path === undefined || !handler) return [];
  const at = call.prop;
  return (methods.length > 0 ? methods : [null]).map((m) =>
    route(ctx, at, { framework: 'fastify', method: m, path: path!, handler }),
  );
}

// ---------------------------------------------------------------- Python

const PY_SHORTCUTS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);

function pythonRoutes(ctx: Ctx, call: MethodCall): ExtractedRoute[] {
  const verb = call.prop.text;
  const args = positionalArgs(call.args, ctx.language);
  const kw = keywordArgs(call.args);
  const decorator = call.node.parent?.type === 'decorator' ? call.node.parent : null;

  if (verb === 'add_url_rule' && !decorator) {
    // app.add_url_rule('/x', 'endpoint', view_func, methods=[...])
    const path = args[0] ? stringValue(args[0], ctx.language) : null;
    const view = kw.get('view_func') ?? args[2];
    if (path === null || !view || (view.type !== 'identifier' && view.type !== 'attribute')) return [];
    const methods = strings(kw.get('methods'), ctx.language);
    return (methods.length > 0 ? methods : ['GET']).map((m) =>
      route(ctx, call.prop, { framework: 'flask', method: m, path, handler: { name: view.text } }),
    );
  }

  if (!decorator || !(verb === 'route' || verb === 'api_route' || PY_SHORTCUTS.has(verb))) return [];
  const path = args[0]
    ? stringValue(args[0], ctx.language)
    : kw.get('path')
      ? stringValue(kw.get('path')!, ctx.language)
      : null;
  if (path === null || !(path.startsWith('/') || path === '')) return [];
  const decorated = decorator.parent?.childForFieldName('definition');
  if (!decorated) return [];
  const owner = ctx.symbols.innermostAt(decorated.startIndex);
  const receiver = receiverChain(call.recv, ctx.language)[0] ?? '';
  let framework: string;
  let methods: Array<string | null>;
  if (verb === 'route' || verb === 'api_route') {
    framework = verb === 'route' ? 'flask' : 'fastapi';
    methods = strings(kw.get('methods'), ctx.language);
    // Flask answers GET only unless told otherwise; FastAPI's api_route any method.
    if (methods.length === 0) methods = [verb === 'route' ? 'GET' : null];
  } else {
    framework = path.includes('<') || /^(?:bp|blueprint)$|_bp$|Blueprint$/i.test(receiver) ? 'flask' : 'fastapi';
    methods = [verb];
  }
  return methods.map((m) => route(ctx, decorator, { framework, method: m, path, handler: 'inline', owner }));
}

/** Django: path('cart/<int:id>/', views.cart), re_path(r'^x/$', View.as_view()). */
function djangoRoute(ctx: Ctx, call: Node, argsNode: Node): ExtractedRoute[] {
  const args = positionalArgs(argsNode, ctx.language);
  if (args.length < 2) return [];
  const path = stringValue(args[0]!, ctx.language);
  if (path === null) return [];
  let view: Node | null = args[1]!;
  if (view.type === 'call') {
    const callee = view.childForFieldName('function');
    // include(...) mounts another urls module: a prefix, not a route.
    if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'as_view') return [];
    view = callee.childForFieldName('object');
  }
  let name: string | null = null;
  if (view && (view.type === 'identifier' || view.type === 'attribute')) name = view.text;
  else if (view) name = stringValue(view, ctx.language);
  if (!name) return [];
  return [route(ctx, call, { framework: 'django', method: null, path, handler: { name } })];
}

const DJANGO = new Set(['path', 're_path', 'url']);

// ---------------------------------------------------------------- Go

const GO_CHI = new Set(['Get', 'Post', 'Put', 'Delete', 'Patch', 'Head', 'Options', 'Connect', 'Trace']);
const GO_UPPER = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'Any']);
const GO_PATTERN = /^([A-Z]+)\s+(\/.*)$/;

function goHandler(node: Node | undefined, depth = 0): Handler {
  if (!node || depth > 3) return null;
  switch (node.type) {
    case 'identifier':
    case 'selector_expression':
      return { name: node.text };
    case 'func_literal':
      return 'inline';
    case 'unary_expression':
      return goHandler(node.childForFieldName('operand') ?? undefined, depth + 1);
    case 'composite_literal':
      return node.childForFieldName('type') ? { name: node.childForFieldName('type')!.text } : null;
    case 'call_expression': {
      // http.HandlerFunc(h), mw(h) → h; s.handleCart() (a handler factory) → s.handleCart
      const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      if (args.length === 0) {
        const fn = node.childForFieldName('function');
        return fn ? { name: fn.text } : null;
      }
      return goHandler(args.at(-1), depth + 1);
    }
    default:
      return null;
  }
}

/** gorilla/mux: `.Methods("GET", http.MethodPost)` anywhere up the builder chain. */
function gorillaMethods(call: Node, language: CodeLanguage): string[] | null {
  let n: Node | null = call;
  for (let depth = 0; depth < 6; depth++) {
    const sel: Node | null = n?.parent ?? null;
    if (sel?.type !== 'selector_expression') return null;
    const outer: Node | null = sel.parent;
    if (outer?.type !== 'call_expression') return null;
    if (sel.childForFieldName('field')?.text === 'Methods') {
      const args = outer.childForFieldName('arguments');
      if (!args) return null;
      return positionalArgs(args, language).flatMap((a) => {
        const m = methodName(a, language);
        return m ? [m] : [];
      });
    }
    n = outer;
  }
  return null;
}

function goRoutes(ctx: Ctx, call: MethodCall): ExtractedRoute[] {
  const verb = call.prop.text;
  const args = positionalArgs(call.args, ctx.language);
  let framework: string;
  let methods: Array<string | null>;
  let pathArg = 0;
  if (verb === 'HandleFunc' || verb === 'Handle') {
    const gorilla = gorillaMethods(call.node, ctx.language);
    framework = gorilla ? 'gorilla/mux' : 'net/http';
    methods = gorilla && gorilla.length > 0 ? gorilla : [null];
  } else if (verb === 'Method' || verb === 'MethodFunc') {
    const m = args[0] ? methodName(args[0], ctx.language) : null;
    if (!m) return [];
    framework = 'chi';
    methods = [m];
    pathArg = 1;
  } else if (GO_CHI.has(verb)) {
    framework = 'chi';
    methods = [verb];
  } else if (GO_UPPER.has(verb)) {
    const recv = receiverChain(call.recv, ctx.language)[0] ?? '';
    framework = /^e$|echo/i.test(recv) ? 'echo' : 'gin';
    methods = [verb === 'Any' ? null : verb];
  } else {
    return [];
  }
  if (args.length < pathArg + 2) return [];
  let path = stringValue(args[pathArg]!, ctx.language);
  if (path === null) return [];
  const pattern = GO_PATTERN.exec(path);
  if (pattern && framework === 'net/http') {
    // Go 1.22 ServeMux patterns: "GET /items/{id}"
    methods = [pattern[1]!];
    path = pattern[2]!;
  }
  if (!path.startsWith('/')) return [];
  const handler = goHandler(args.at(-1));
  if (!handler) return [];
  return methods.map((m) => route(ctx, call.prop, { framework, method: m, path: path!, handler }));
}

// ---------------------------------------------------------------- annotations

/** A Java annotation or TS decorator, attributed to the symbol it decorates. */
export interface Annotation {
  name: string;
  args: Node | null;
  at: Node;
  owner: number;
}

const SPRING: Record<string, string | null> = {
  RequestMapping: null,
  GetMapping: 'GET',
  PostMapping: 'POST',
  PutMapping: 'PUT',
  DeleteMapping: 'DELETE',
  PatchMapping: 'PATCH',
};
const NEST: Record<string, string | null> = {
  Get: 'GET',
  Post: 'POST',
  Put: 'PUT',
  Delete: 'DELETE',
  Patch: 'PATCH',
  Head: 'HEAD',
  Options: 'OPTIONS',
  All: null,
};
export const ROUTE_ANNOTATIONS = new Set([
  ...Object.keys(SPRING),
  ...Object.keys(NEST),
  ...HTTP_METHODS,
  'Path',
  'Controller',
]);

/** Paths and methods of a Spring mapping: ("/x"), (value = {"/a", "/b"}), (path = "/x",
 *  method = RequestMethod.GET). `unresolved` when a path is a constant we cannot read. */
function springArgs(
  args: Node | null,
  language: CodeLanguage,
): { paths: string[]; methods: string[]; unresolved: boolean } {
  const paths: string[] = [];
  const methods: string[] = [];
  let unresolved = false;
  const addPaths = (node: Node) => {
    const found = strings(node, language);
    if (found.length === 0) unresolved = true;
    paths.push(...found);
  };
  for (const child of args?.namedChildren ?? []) {
    if (child.type === 'comment') continue;
    if (child.type === 'element_value_pair') {
      const key = child.childForFieldName('key')?.text;
      const value = child.childForFieldName('value');
      if (!value) continue;
      if (key === 'value' || key === 'path') addPaths(value);
      else if (key === 'method') {
        const items = value.type === 'element_value_array_initializer' ? value.namedChildren : [value];
        for (const item of items) {
          const m = methodName(item, language);
          if (m) methods.push(m);
        }
      }
    } else {
      addPaths(child);
    }
  }
  return { paths, methods, unresolved };
}

/** A class-level prefix, or null when it is a constant we cannot read (its routes are
 *  then left out rather than given a wrong path). */
function prefixOf(a: Annotation, language: CodeLanguage): string | null {
  if (a.name === 'RequestMapping') {
    const { paths, unresolved } = springArgs(a.args, language);
    return paths[0] ?? (unresolved ? null : '');
  }
  const args = a.args ? positionalArgs(a.args, language) : [];
  if (args.length === 0) return '';
  return firstPath(a.args, language);
}

function annotationRoutes(ctx: Ctx, annotations: Annotation[]): ExtractedRoute[] {
  const { symbols, language } = ctx;
  const prefixes = new Map<number, string | null>();
  const byOwner = new Map<number, Annotation[]>();
  for (const a of annotations) {
    const owner = symbols.symbols[a.owner];
    if (!owner) continue;
    if (owner.kind === 'class' || owner.kind === 'interface') {
      if (a.name === 'RequestMapping' || a.name === 'Path' || a.name === 'Controller')
        prefixes.set(a.owner, prefixOf(a, language));
    } else if (owner.kind === 'method') {
      const list = byOwner.get(a.owner) ?? [];
      list.push(a);
      byOwner.set(a.owner, list);
    }
  }
  const out: ExtractedRoute[] = [];
  for (const [owner, list] of byOwner) {
    const type = symbols.enclosingType(owner);
    const prefix = type >= 0 ? (prefixes.has(type) ? prefixes.get(type)! : '') : '';
    if (prefix === null) continue;
    const handler: Handler = 'inline';
    const jaxPath = list.find((a) => a.name === 'Path');
    for (const a of list) {
      if (language === 'java' && a.name in SPRING) {
        const { paths, methods, unresolved } = springArgs(a.args, language);
        if (unresolved && paths.length === 0) continue;
        const ms: Array<string | null> = SPRING[a.name] ? [SPRING[a.name]!] : methods.length > 0 ? methods : [null];
        for (const p of paths.length > 0 ? paths : ['']) {
          for (const m of ms)
            out.push(route(ctx, a.at, { framework: 'spring', method: m, path: joinPath(prefix, p), handler, owner }));
        }
      } else if (language === 'java' && HTTP_METHODS.has(a.name)) {
        const p = jaxPath ? prefixOf(jaxPath, language) : '';
        if (p === null) continue;
        out.push(route(ctx, a.at, { framework: 'jax-rs', method: a.name, path: joinPath(prefix, p), handler, owner }));
      } else if (language !== 'java' && a.name in NEST) {
        const first = a.args ? positionalArgs(a.args, language)[0] : undefined;
        const paths = first ? strings(first, language) : [''];
        for (const p of paths) {
          out.push(
            route(ctx, a.at, { framework: 'nestjs', method: NEST[a.name]!, path: joinPath(prefix, p), handler, owner }),
          );
        }
      }
    }
  }
  return out;
}

/** The first string argument (`@Path("/x")`, `@Controller('cats')`,
 *  `@Controller({ path: 'cats' })`), if any. */
function firstPath(args: Node | null, language: CodeLanguage): string | null {
  for (const child of args?.namedChildren ?? []) {
    const s = strings(child, language)[0];
    if (s !== undefined) return s;
    if (child.type === 'element_value_pair' && ['value', 'path'].includes(child.childForFieldName('key')?.text ?? '')) {
      return strings(child.childForFieldName('value'), language)[0] ?? null;
    }
    if (child.type === 'object') {
      for (const pair of child.namedChildren) {
        if (pair.type === 'pair' && pair.childForFieldName('key')?.text === 'path') {
          return strings(pair.childForFieldName('value'), language)[0] ?? null;
        }
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------- dispatch

export const ROUTE_VERBS: Record<ClassicLanguage, Set<string>> = {
  typescript: new Set([...JS_METHODS, 'route']),
  tsx: new Set([...JS_METHODS, 'route']),
  javascript: new Set([...JS_METHODS, 'route']),
  python: new Set(['route', 'api_route', 'add_url_rule', ...PY_SHORTCUTS]),
  go: new Set(['HandleFunc', 'Handle', 'Method', 'MethodFunc', ...GO_CHI, ...GO_UPPER]),
  java: new Set(),
};

export function callRoutes(language: CodeLanguage, symbols: SymbolTable, call: MethodCall): ExtractedRoute[] {
  const ctx = { language, symbols };
  if (language === 'python') return pythonRoutes(ctx, call);
  if (language === 'go') return goRoutes(ctx, call);
  if (language === 'java') return [];
  return jsRoutes(ctx, call);
}

/** Routes registered by a plain function call: Django's path(), re_path() and url(). */
export function functionCallRoutes(
  language: CodeLanguage,
  symbols: SymbolTable,
  call: Node,
  fn: Node,
  args: Node,
): ExtractedRoute[] {
  if (language !== 'python' || !DJANGO.has(fn.text)) return [];
  return djangoRoute({ language, symbols }, call, args);
}

export function decoratorRoutes(
  language: CodeLanguage,
  symbols: SymbolTable,
  annotations: Annotation[],
): ExtractedRoute[] {
  return annotations.length === 0 ? [] : annotationRoutes({ language, symbols }, annotations);
}
