// What in one file serves a gRPC service, read from how gRPC's generated code is used in
// each language (not from names alone): the base class or trait the generator makes for a
// service (`…Base`, `…ImplBase`, `…Servicer`, `…::Service`, a tonic trait, `…Interface`),
// the `Unimplemented…Server` a Go server type embeds and the value given to `Register…Server`,
// and the implementation object given to Node's `addService`. Linking these to the rpcs of
// the .proto files is grpc-link.ts.
import type { Node, Tree } from 'web-tree-sitter';
import type { CodeLanguage, ExtractedGrpcImpl } from './types.js';

// A cheap look at the text first: most files serve no gRPC service.
const HINT: Record<CodeLanguage, RegExp> = {
  typescript: /\baddService\s*\(/,
  tsx: /\baddService\s*\(/,
  javascript: /\baddService\s*\(/,
  python: /Servicer\b/,
  go: /\bUnimplemented\w*Server\b|\bRegister\w+Server\s*\(/,
  java: /ImplBase\b/,
  csharp: /\w+Base\b/,
  rust: /\bimpl\b[^{;]*\bfor\b/,
  ruby: /::Service\b/,
  php: /\w+Interface\b/,
  cpp: /::(?:Service|CallbackService)\b/,
};

function impl(
  at: Node,
  service: string,
  qualifier: string | null,
  fields: Partial<Pick<ExtractedGrpcImpl, 'typeName' | 'method' | 'handler'>> & { kind: ExtractedGrpcImpl['kind'] },
): ExtractedGrpcImpl {
  return {
    kind: fields.kind,
    service,
    qualifier,
    line: at.startPosition.row + 1,
    typeName: fields.typeName ?? null,
    method: fields.method ?? null,
    handler: fields.handler ?? null,
  };
}

/** `a.b.CartService.CartServiceBase` → service CartService, qualifier `a.b.CartService`. */
function splitQualified(text: string, suffix: RegExp): { service: string; qualifier: string | null } | null {
  const clean = text.replace(/<[^<>]*>/g, '').replace(/\s+/g, '');
  const parts = clean.split(/::|\.|\\/).filter(Boolean);
  const last = parts.at(-1) ?? '';
  const m = suffix.exec(last);
  if (!m) return null;
  const service = m[1] ?? last;
  if (!/^[A-Za-z_]\w*$/.test(service)) return null;
  const qualifier = parts.slice(0, -1).join('.') || null;
  return { service, qualifier };
}

function typeImpl(
  out: ExtractedGrpcImpl[],
  at: Node,
  typeName: string | undefined,
  base: string,
  suffix: RegExp,
): void {
  if (!typeName) return;
  const s = splitQualified(base, suffix);
  if (s) out.push(impl(at, s.service, s.qualifier, { kind: 'type', typeName }));
}

// ---------------------------------------------------------------- Go

/** The type a value given to Register…Server has: `&T{}`, `T{}`, `new(T)`, or a variable
 *  assigned one of those in the same function. */
function goValueType(arg: Node, scope: Node | null): string | null {
  const text = arg.text.trim();
  const direct = /^&?\s*([A-Za-z_]\w*)\s*\{/.exec(text) ?? /^new\(\s*([A-Za-z_]\w*)\s*\)$/.exec(text);
  if (direct) return direct[1]!;
  if (arg.type !== 'identifier' || !scope) return null;
  const name = arg.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const assigned = new RegExp(
    `(?:^|[\\s;(])${name}\\s*(?::=|=)\\s*(?:&\\s*([A-Za-z_]\\w*)\\s*\\{|([A-Za-z_]\\w*)\\s*\\{|new\\(\\s*([A-Za-z_]\\w*)\\s*\\))`,
    'm',
  ).exec(scope.text);
  return assigned ? (assigned[1] ?? assigned[2] ?? assigned[3] ?? null) : null;
}

function goImpls(root: Node, out: ExtractedGrpcImpl[]): void {
  for (const spec of root.descendantsOfType('type_spec')) {
    const body = spec.childForFieldName('type');
    if (body?.type !== 'struct_type') continue;
    const typeName = spec.childForFieldName('name')?.text;
    for (const field of body.descendantsOfType('field_declaration')) {
      if (field.childForFieldName('name')) continue;
      const type = field.childForFieldName('type')?.text.replace(/^\*/, '') ?? '';
      typeImpl(out, field, typeName, type, /^Unimplemented(\w+)Server$/);
    }
  }
  for (const call of root.descendantsOfType('call_expression')) {
    const fn = call.childForFieldName('function');
    const name = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : fn?.text;
    const m = /^Register(\w+)Server$/.exec(name ?? '');
    if (!m) continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (args.length !== 2) continue;
    let scope: Node | null = call.parent;
    while (scope && scope.type !== 'function_declaration' && scope.type !== 'method_declaration') scope = scope.parent;
    const typeName = goValueType(args[1]!, scope);
    const qualifier = fn?.type === 'selector_expression' ? (fn.childForFieldName('operand')?.text ?? null) : null;
    if (typeName) out.push(impl(call, m[1]!, qualifier, { kind: 'type', typeName }));
  }
}

// ---------------------------------------------------------------- Node

/** The service a definition expression names: `pkg.x.PaymentService.service` → PaymentService,
 *  `services.PaymentServiceService` → PaymentServiceService (the linker also tries it without
 *  the generator's `Service` suffix). */
function nodeServiceName(def: Node): { service: string; qualifier: string | null } | null {
  const parts = def.text.replace(/\s+/g, '').split('.');
  if (parts.length === 0 || !parts.every((p) => /^[A-Za-z_$][\w$]*$/.test(p))) return null;
  if (parts.at(-1) === 'service' && parts.length >= 2) parts.pop();
  const service = parts.pop()!;
  return { service, qualifier: parts.join('.') || null };
}

function objectHandlers(
  obj: Node,
  at: Node,
  s: { service: string; qualifier: string | null },
  out: ExtractedGrpcImpl[],
): void {
  for (const entry of obj.namedChildren) {
    if (entry.type === 'shorthand_property_identifier') {
      out.push(impl(at, s.service, s.qualifier, { kind: 'handler', method: entry.text, handler: entry.text }));
    } else if (entry.type === 'method_definition') {
      const key = entry.childForFieldName('name')?.text;
      if (key) out.push(impl(entry, s.service, s.qualifier, { kind: 'handler', method: key, handler: key }));
    } else if (entry.type === 'pair') {
      const keyNode = entry.childForFieldName('key');
      const value = entry.childForFieldName('value');
      const key = keyNode?.text.replace(/^['"`]|['"`]$/g, '');
      if (!key || !value) continue;
      if (value.type === 'identifier' || value.type === 'member_expression') {
        const handler = value.text.replace(/^this\./, '');
        out.push(impl(at, s.service, s.qualifier, { kind: 'handler', method: key, handler }));
      } else if (value.type === 'call_expression') {
        // handler.bind(x), wrap(handler)
        const fn = value.childForFieldName('function');
        const bound =
          fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'bind'
            ? fn.childForFieldName('object')
            : value.childForFieldName('arguments')?.namedChild(0);
        if (bound && (bound.type === 'identifier' || bound.type === 'member_expression'))
          out.push(impl(at, s.service, s.qualifier, { kind: 'handler', method: key, handler: bound.text }));
      } else if (value.type === 'arrow_function' || value.type === 'function_expression') {
        out.push(impl(entry, s.service, s.qualifier, { kind: 'handler', method: key, handler: key }));
      }
    }
  }
}

function nodeImpls(root: Node, out: ExtractedGrpcImpl[]): void {
  let declarators: Node[] | null = null;
  for (const call of root.descendantsOfType('call_expression')) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'addService') continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (args.length < 2) continue;
    const s = nodeServiceName(args[0]!);
    if (!s) continue;
    let implementation: Node | null = args[1]!;
    if (implementation.type === 'identifier') {
      // const impl = { … } / new Impl() elsewhere in the file
      declarators ??= root.descendantsOfType('variable_declarator');
      const name = implementation.text;
      const decl = declarators.find((d) => d.childForFieldName('name')?.text === name);
      implementation = decl?.childForFieldName('value') ?? null;
    }
    if (implementation?.type === 'object') objectHandlers(implementation, call, s, out);
    else if (implementation?.type === 'new_expression') {
      const ctor = implementation.childForFieldName('constructor')?.text.split('.').pop();
      if (ctor) out.push(impl(call, s.service, s.qualifier, { kind: 'type', typeName: ctor }));
    }
  }
}

// ---------------------------------------------------------------- class-based languages

function classImpls(language: CodeLanguage, root: Node, out: ExtractedGrpcImpl[]): void {
  switch (language) {
    case 'java':
      for (const cls of root.descendantsOfType('class_declaration')) {
        const sup = cls.childForFieldName('superclass');
        if (sup)
          typeImpl(
            out,
            cls,
            cls.childForFieldName('name')?.text,
            sup.text.replace(/^extends\s+/, ''),
            /^(\w+)ImplBase$/,
          );
      }
      return;
    case 'csharp':
      for (const cls of root.descendantsOfType('class_declaration')) {
        const base = cls.namedChildren.find((c) => c.type === 'base_list')?.namedChild(0);
        if (base) typeImpl(out, cls, cls.childForFieldName('name')?.text, base.text, /^(\w+)Base$/);
      }
      return;
    case 'python':
      for (const cls of root.descendantsOfType('class_definition')) {
        for (const base of cls.childForFieldName('superclasses')?.namedChildren ?? [])
          typeImpl(out, cls, cls.childForFieldName('name')?.text, base.text, /^(\w+)Servicer$/);
      }
      return;
    case 'cpp':
      for (const cls of [...root.descendantsOfType('class_specifier'), ...root.descendantsOfType('struct_specifier')]) {
        const clause = cls.namedChildren.find((c) => c.type === 'base_class_clause');
        for (const base of clause?.namedChildren ?? []) {
          if (base.type === 'access_specifier') continue;
          // oteldemo::CurrencyService::Service → CurrencyService (the generator's nested class)
          const m = /(?:^|::)(\w+)::(?:Service|CallbackService)$/.exec(base.text.replace(/\s+/g, ''));
          if (!m) continue;
          const qualifier = base.text.replace(/\s+/g, '').split('::').slice(0, -2).join('.') || null;
          const typeName = cls.childForFieldName('name')?.text;
          if (typeName) out.push(impl(cls, m[1]!, qualifier, { kind: 'type', typeName }));
        }
      }
      return;
    case 'rust':
      for (const item of root.descendantsOfType('impl_item')) {
        const trait = item.childForFieldName('trait');
        const type = item.childForFieldName('type')?.text.replace(/<.*$/s, '');
        if (trait && type) typeImpl(out, item, type, trait.text, /^(\w+)$/);
      }
      return;
    case 'ruby':
      for (const cls of root.descendantsOfType('class')) {
        const sup = cls.childForFieldName('superclass')?.namedChild(0);
        const name = cls.childForFieldName('name')?.text.split('::').pop();
        if (sup) {
          const m = /(?:^|::)(\w+)::Service$/.exec(sup.text);
          if (m && name) {
            const qualifier = sup.text.split('::').slice(0, -2).join('.') || null;
            out.push(impl(cls, m[1]!, qualifier, { kind: 'type', typeName: name }));
          }
        }
      }
      return;
    case 'php':
      for (const cls of root.descendantsOfType('class_declaration')) {
        const clause = cls.namedChildren.find((c) => c.type === 'class_interface_clause');
        for (const iface of clause?.namedChildren ?? [])
          typeImpl(out, cls, cls.childForFieldName('name')?.text, iface.text, /^(\w+)Interface$/);
      }
      return;
    default:
      return;
  }
}

/** The gRPC service implementations a file declares or registers. */
export function grpcImpls(tree: Tree, language: CodeLanguage, source: string): ExtractedGrpcImpl[] {
  if (!HINT[language].test(source)) return [];
  const out: ExtractedGrpcImpl[] = [];
  const root = tree.rootNode;
  if (language === 'go') goImpls(root, out);
  else if (language === 'javascript' || language === 'typescript' || language === 'tsx') {
    nodeImpls(root, out);
    // TS classes implementing a generated service interface are served through addService too.
  } else classImpls(language, root, out);
  return out.sort((a, b) => a.line - b.line);
}
