// Links each rpc of the .proto files to the code that serves it: the implementations found
// per file (grpc-impls.ts) are matched to services by name as the generated code spells it,
// then to the rpc's handler: a method of the implementing type whose name is the rpc's in the
// language's casing (GetCart, getCart, get_cart), or the function an addService object
// registers under the rpc's name, whatever that function is called.
import type { ExtractedGrpcImpl, SymbolKind } from './types.js';

export const GRPC_LINK_ALGORITHM = 'grpc-link@1';

export interface LinkRpc {
  id: number;
  /** `package.Service`, as in the .proto file and in spans' rpc.service. */
  service: string;
  method: string;
}

export interface LinkSymbol {
  id: number;
  name: string;
  kind: SymbolKind | string;
  parent: string | null;
  startLine: number;
  endLine: number;
}

export interface LinkFile {
  id: number;
  path: string;
  language: string;
  symbols: readonly LinkSymbol[];
  impls: readonly ExtractedGrpcImpl[];
}

export interface RpcLink {
  rpcId: number;
  fileId: number;
  symbolId: number;
  line: number;
  /** `Parent.name` or `name`. */
  symbol: string;
  /** How it was found: `type` (a method of the implementing type) or `registration`. */
  via: 'type' | 'registration';
}

/** GetCart, getCart, get_cart and GET_CART are one name. */
export function sameRpcName(a: string, b: string): boolean {
  return a.replace(/_/g, '').toLowerCase() === b.replace(/_/g, '').toLowerCase();
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const squash = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
const qualified = (s: LinkSymbol) => (s.parent ? `${s.parent}.${s.name}` : s.name);
const CALLABLE = new Set(['method', 'function']);

/** Which proto services an implementation can be for: the service of its name (or, for
 *  generators that add a `Service` suffix, without it). When the name is in several packages,
 *  the ones its qualifier names are `specific`; a qualifier that names none (a Go import
 *  alias such as `pb`) leaves every one as a fallback, used only for a service no specific
 *  implementation claims. */
function servicesOf(
  impl: ExtractedGrpcImpl,
  byShort: ReadonlyMap<string, string[]>,
): Array<{ service: string; specific: boolean }> {
  let full = byShort.get(impl.service);
  if (!full && impl.service.endsWith('Service')) full = byShort.get(impl.service.slice(0, -'Service'.length));
  if (!full) return [];
  if (full.length === 1) return [{ service: full[0]!, specific: true }];
  const q = squash(impl.qualifier ?? '');
  const named = full.filter((f) => {
    const pkg = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : '';
    return q !== '' && pkg !== '' && q.includes(squash(pkg));
  });
  if (named.length) return named.map((service) => ({ service, specific: true }));
  return full.map((service) => ({ service, specific: false }));
}

/** Files searched for a symbol, nearest first: the file itself, its folder, then all. */
function nearest(files: readonly LinkFile[], from: LinkFile, wide: boolean): LinkFile[] {
  const dir = dirOf(from.path);
  const same = files.filter((f) => f !== from && dirOf(f.path) === dir);
  const rest = wide ? files.filter((f) => f !== from && dirOf(f.path) !== dir) : [];
  return [from, ...same, ...rest];
}

function find(
  files: readonly LinkFile[],
  from: LinkFile,
  wide: boolean,
  ok: (s: LinkSymbol, f: LinkFile) => boolean,
): { file: LinkFile; symbol: LinkSymbol } | null {
  for (const f of nearest(files, from, wide)) {
    const hits = f.symbols.filter((s) => ok(s, f));
    // Across files a name must be unique to count; within the registering file the nearest wins.
    if (hits.length === 1 || (f === from && hits.length > 0)) return { file: f, symbol: hits[0]! };
    if (hits.length > 1) return null;
  }
  return null;
}

function linkTo(rpc: LinkRpc, hit: { file: LinkFile; symbol: LinkSymbol }, via: RpcLink['via']): RpcLink {
  return {
    rpcId: rpc.id,
    fileId: hit.file.id,
    symbolId: hit.symbol.id,
    line: hit.symbol.startLine,
    symbol: qualified(hit.symbol),
    via,
  };
}

export function linkRpcs(rpcs: readonly LinkRpc[], files: readonly LinkFile[]): RpcLink[] {
  const byShort = new Map<string, string[]>();
  for (const r of rpcs) {
    const short = r.service.slice(r.service.lastIndexOf('.') + 1);
    const list = byShort.get(short) ?? [];
    if (!list.includes(r.service)) list.push(r.service);
    byShort.set(short, list);
  }
  // Implementations per full service name.
  const implsOf = new Map<string, Array<{ file: LinkFile; impl: ExtractedGrpcImpl; specific: boolean }>>();
  for (const file of files) {
    for (const impl of file.impls) {
      for (const { service, specific } of servicesOf(impl, byShort)) {
        const list = implsOf.get(service) ?? [];
        list.push({ file, impl, specific });
        implsOf.set(service, list);
      }
    }
  }
  const out: RpcLink[] = [];
  for (const rpc of rpcs) {
    const all = implsOf.get(rpc.service) ?? [];
    const candidates = all.some((c) => c.specific) ? all.filter((c) => c.specific) : all;
    let link: RpcLink | null = null;
    // Registrations name the rpc's handler outright; they win over a type's methods.
    for (const { file, impl } of candidates) {
      if (impl.kind !== 'handler' || !impl.method || !impl.handler || !sameRpcName(impl.method, rpc.method)) continue;
      const handler = impl.handler;
      const last = handler.slice(handler.lastIndexOf('.') + 1);
      const inline = file.symbols.find((s) => s.startLine === impl.line && s.name === last && CALLABLE.has(s.kind));
      const hit = inline
        ? { file, symbol: inline }
        : find(files, file, true, (s) => CALLABLE.has(s.kind) && (qualified(s) === handler || s.name === last));
      if (hit) {
        link = linkTo(rpc, hit, 'registration');
        break;
      }
    }
    if (!link) {
      for (const { file, impl } of candidates) {
        if (impl.kind !== 'type' || !impl.typeName) continue;
        const type = impl.typeName;
        const hit = find(
          files,
          file,
          false,
          (s, f) =>
            CALLABLE.has(s.kind) &&
            s.parent === type &&
            sameRpcName(s.name, rpc.method) &&
            (f === file || f.language === file.language),
        );
        if (hit) {
          link = linkTo(rpc, hit, 'type');
          break;
        }
      }
    }
    if (link) out.push(link);
  }
  return out;
}

/** The rpc a span is for, from its rpc.service and rpc.method attributes (OTel semantic
 *  conventions) or, without them, from a gRPC span name `package.Service/Method`. */
export function rpcOfSpan(attrs: {
  rpcService?: string | null;
  rpcMethod?: string | null;
  name?: string | null;
}): { service: string; method: string } | null {
  if (attrs.rpcService && attrs.rpcMethod) return { service: attrs.rpcService, method: attrs.rpcMethod };
  const m = /^\/?([A-Za-z_][\w.]*)\/([A-Za-z_]\w*)$/.exec(attrs.name ?? '');
  return m ? { service: m[1]!, method: m[2]! } : null;
}
