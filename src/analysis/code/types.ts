// What code extraction yields for one source file: definitions with line ranges, log call
// sites with their message templates, and HTTP route registrations.

export type CodeLanguage =
  | 'typescript'
  | 'tsx'
  | 'javascript'
  | 'python'
  | 'go'
  | 'java'
  | 'csharp'
  | 'rust'
  | 'ruby'
  | 'php'
  | 'cpp';

/** The languages parsed since code-extract@2, handled by polyglot-*.ts. */
export type PolyglotLanguage = 'csharp' | 'rust' | 'ruby' | 'php' | 'cpp';
/** The languages of code-extract@1. */
export type ClassicLanguage = Exclude<CodeLanguage, PolyglotLanguage>;

export function isPolyglot(language: CodeLanguage): language is PolyglotLanguage {
  return (
    language === 'csharp' || language === 'rust' || language === 'ruby' || language === 'php' || language === 'cpp'
  );
}

export type SymbolKind = 'function' | 'method' | 'class' | 'interface' | 'type' | 'enum';

/** A definition. Lines are 1-based and inclusive; `parent` is the enclosing class or type
 *  name (for Go methods, the receiver type), or null. */
export interface ExtractedSymbol {
  name: string;
  kind: SymbolKind;
  parent: string | null;
  startLine: number;
  endLine: number;
}

/** A log statement. `template` is the message in Drain form (every placeholder and
 *  interpolated value is `<*>`, whitespace collapsed); `raw` is the message argument(s) as
 *  written; `level` is one of trace, debug, info, warn, error, fatal, or null when the call
 *  names none (Go's `log.Printf`). `symbol` is the innermost enclosing symbol, as
 *  `Class.method` for methods. */
export interface ExtractedCallsite {
  line: number;
  logger: string;
  level: string | null;
  template: string;
  raw: string;
  symbol: string | null;
}

/** An HTTP route registration. `method` is upper-case, or null when the registration
 *  accepts any method; `handler` names the handler when it is an identifier or member
 *  expression, else the enclosing (or decorated) function; `symbol` as for call sites. */
export interface ExtractedRoute {
  line: number;
  framework: string;
  method: string | null;
  path: string;
  handler: string | null;
  symbol: string | null;
}

/** Code that serves a gRPC service, as the code names it (`service` is the service's
 *  short name, e.g. `CartService`; `qualifier` what came before it, e.g. a package alias).
 *  `type`: the methods of `typeName` serve the service's rpcs (Go server type, C# `…Base`
 *  subclass, Java `…ImplBase`, Python servicer, C++ `…::Service`, Rust trait impl, Ruby
 *  `…::Service`, PHP `…Interface`); `handler`: one rpc (`method`, as the registration
 *  spells it) is served by the function `handler` (Node's addService implementation object). */
export interface ExtractedGrpcImpl {
  kind: 'type' | 'handler';
  service: string;
  qualifier: string | null;
  line: number;
  typeName: string | null;
  method: string | null;
  handler: string | null;
}

export interface FileExtraction {
  symbols: ExtractedSymbol[];
  callsites: ExtractedCallsite[];
  routes: ExtractedRoute[];
  grpc: ExtractedGrpcImpl[];
}
