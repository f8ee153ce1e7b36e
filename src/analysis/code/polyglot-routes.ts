// HTTP route registrations in C#, Rust, Ruby, PHP and C++: ASP.NET Core minimal APIs and
// controller attributes, axum and actix-web, Sinatra and Rails routes, Slim and Laravel,
// Crow and cpp-httplib.
import type { Node } from 'web-tree-sitter';
import { POLY_ROUTE_NAMES, type PolyCall, polyString } from './polyglot-calls.js';
import { joinPath } from './routes.js';
import type { SymbolTable } from './symbol-table.js';
import type { ExtractedRoute, PolyglotLanguage } from './types.js';

const VERBS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function make(
  symbols: SymbolTable,
  at: Node,
  framework: string,
  method: string | null,
  path: string,
  handler: string | null,
  owner = symbols.innermostAt(at.startIndex),
): ExtractedRoute {
  const symbol = symbols.qualified(owner);
  return { line: at.startPosition.row + 1, framework, method, path, handler: handler ?? symbol, symbol };
}

/** A handler argument's name, or null for an inline function (the enclosing symbol stands in). */
function handlerName(node: Node | undefined): string | null | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
    case 'name':
    case 'scoped_identifier':
    case 'qualified_identifier':
    case 'member_access_expression':
    case 'field_expression':
    case 'variable_name':
      return node.text.replace(/^\$/, '').replace(/::|->/g, '.');
    case 'array_creation_expression': {
      // [UserController::class, 'show']
      const parts = node.namedChildren.map((c) => c.namedChild(0)).filter((c): c is Node => c !== null);
      const cls = parts[0]?.text.replace(/::class$/, '');
      const method = parts[1] ? polyString(parts[1]) : null;
      return cls && method ? `${cls}.${method}` : undefined;
    }
    case 'string':
    case 'encapsed_string': {
      // 'UserController@show' (Laravel), 'users#show' (Rails)
      const s = polyString(node);
      return s ? s.replace(/[@#]/, '.') : undefined;
    }
    default:
      return null;
  }
}

function isPath(p: string | null): p is string {
  return p !== null && (p.startsWith('/') || p === '');
}

/** axum: .route("/p", get(h).post(h2)); actix-web: .route("/p", web::get().to(h)). */
function rustRoute(symbols: SymbolTable, call: PolyCall): ExtractedRoute[] {
  const [pathArg, router] = call.args;
  const path = pathArg ? polyString(pathArg) : null;
  if (!isPath(path) || !router) return [];
  const out: ExtractedRoute[] = [];
  let n: Node | null = router;
  for (let depth = 0; n && depth < 8; depth++) {
    if (n.type !== 'call_expression') break;
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    const verbOf = (f: Node | null) => /(\w+)$/.exec(f?.text ?? '')?.[1]?.toUpperCase() ?? '';
    if (fn?.type === 'field_expression' && fn.childForFieldName('field')?.text === 'to') {
      // web::get().to(h)
      const inner = fn.childForFieldName('value');
      const verb = inner?.type === 'call_expression' ? verbOf(inner.childForFieldName('function')) : '';
      if (VERBS.has(verb)) out.push(make(symbols, call.name, 'actix-web', verb, path, handlerName(args[0]) ?? null));
      break;
    }
    if (fn?.type === 'field_expression') {
      // get(a).post(b): the outer call is .post(b), its value the rest of the chain
      const verb = (fn.childForFieldName('field')?.text ?? '').toUpperCase();
      if (VERBS.has(verb)) out.push(make(symbols, call.name, 'axum', verb, path, handlerName(args[0]) ?? null));
      n = fn.childForFieldName('value');
      continue;
    }
    const verb = verbOf(fn);
    if (VERBS.has(verb)) out.push(make(symbols, call.name, 'axum', verb, path, handlerName(args[0]) ?? null));
    break;
  }
  return out;
}

function callRoute(symbols: SymbolTable, language: PolyglotLanguage, call: PolyCall): ExtractedRoute[] {
  const name = call.name.text;
  if (!POLY_ROUTE_NAMES[language].test(name)) return [];
  if (language === 'rust') return call.macro ? [] : rustRoute(symbols, call);
  if (language === 'cpp' && name === 'CROW_ROUTE') {
    // CROW_ROUTE(app, "/p")(handler), optionally .methods("POST"_method)
    const path = call.args[1] ? polyString(call.args[1]) : null;
    return isPath(path) ? [make(symbols, call.name, 'crow', null, path, null)] : [];
  }
  const path = call.args[0] ? polyString(call.args[0]) : null;
  if (!isPath(path)) return [];
  const last = call.args.at(-1);
  const handler = call.args.length >= 2 ? handlerName(last) : undefined;
  switch (language) {
    case 'csharp': {
      if (!call.recv || handler === undefined) return [];
      if (name === 'MapMethods') return [];
      return [make(symbols, call.name, 'aspnet', name.slice(3).toUpperCase(), path, handler)];
    }
    case 'cpp':
      if (!call.recv || handler === undefined) return [];
      return [make(symbols, call.name, 'cpp-httplib', name.toUpperCase(), path, handler)];
    case 'php': {
      if (!call.recv || handler === undefined) return [];
      const laravel = call.node.type === 'scoped_call_expression';
      const verb = name === 'any' || name === 'map' ? null : name.toUpperCase();
      return [make(symbols, call.name, laravel ? 'laravel' : 'slim', verb, path, handler)];
    }
    case 'ruby': {
      if (call.recv) return [];
      // Sinatra: get '/p' do … end; Rails: get '/p', to: 'c#a'
      const block = call.node.childForFieldName('block');
      if (block) return [make(symbols, call.name, 'sinatra', name.toUpperCase(), path, null)];
      const pair = call.args.find((a) => a.type === 'pair' && /^:?to:?$/.test(a.childForFieldName('key')?.text ?? ''));
      const target = pair?.childForFieldName('value');
      const to = target ? handlerName(target) : undefined;
      return to ? [make(symbols, call.name, 'rails', name.toUpperCase(), path, to)] : [];
    }
  }
}

export function polyCallRoutes(symbols: SymbolTable, language: PolyglotLanguage, calls: PolyCall[]): ExtractedRoute[] {
  return calls.flatMap((c) => callRoute(symbols, language, c));
}

// ---------------------------------------------------------------- attributes

const ASPNET: Record<string, string | null> = {
  HttpGet: 'GET',
  HttpPost: 'POST',
  HttpPut: 'PUT',
  HttpDelete: 'DELETE',
  HttpPatch: 'PATCH',
  Route: null,
};
const ACTIX = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);

/** The first string argument of an attribute's argument list. */
function firstString(args: Node | null): string | null {
  for (const a of args?.namedChildren ?? []) {
    const inner = a.type === 'attribute_argument' ? a.namedChild(0) : a;
    const s = inner ? polyString(inner) : null;
    if (s !== null) return s;
  }
  return null;
}

/** ASP.NET controller attributes ([Route] on the class, [HttpGet("x")] on actions) and
 *  actix-web's #[get("/x")] on functions. */
export function polyAttributeRoutes(symbols: SymbolTable, language: PolyglotLanguage, root: Node): ExtractedRoute[] {
  const out: ExtractedRoute[] = [];
  if (language === 'rust') {
    for (const item of root.descendantsOfType('attribute_item')) {
      const attr = item.namedChild(0);
      const name = attr?.namedChild(0)?.text ?? '';
      if (!ACTIX.has(name)) continue;
      let fn = item.nextNamedSibling;
      while (fn && (fn.type === 'attribute_item' || fn.type === 'line_comment')) fn = fn.nextNamedSibling;
      if (fn?.type !== 'function_item') continue;
      const path = firstString(attr?.childForFieldName('arguments') ?? null);
      const owner = symbols.definedAt(fn.startIndex);
      if (isPath(path) && owner >= 0) out.push(make(symbols, item, 'actix-web', name.toUpperCase(), path, null, owner));
    }
    return out;
  }
  if (language !== 'csharp') return out;
  for (const attr of root.descendantsOfType('attribute')) {
    const name = attr.childForFieldName('name')?.text.replace(/Attribute$/, '') ?? '';
    if (!(name in ASPNET) || name === 'Route') continue;
    const method = attr.parent?.parent;
    if (method?.type !== 'method_declaration') continue;
    const owner = symbols.definedAt(method.startIndex);
    if (owner < 0) continue;
    const cls = method.parent?.parent;
    let prefix = '';
    let className = '';
    if (cls?.type === 'class_declaration') {
      className = cls.childForFieldName('name')?.text ?? '';
      for (const list of cls.namedChildren.filter((c) => c.type === 'attribute_list'))
        for (const a of list.namedChildren)
          if (a.childForFieldName('name')?.text.replace(/Attribute$/, '') === 'Route')
            prefix = firstString(a.namedChildren.find((c) => c.type === 'attribute_argument_list') ?? null) ?? '';
    }
    const own = firstString(attr.namedChildren.find((c) => c.type === 'attribute_argument_list') ?? null) ?? '';
    const path = (own.startsWith('/') ? own : joinPath(prefix, own)).replace(
      /\[controller\]/gi,
      className.replace(/Controller$/, ''),
    );
    out.push(make(symbols, attr, 'aspnet', ASPNET[name]!, path, null, owner));
  }
  return out;
}
