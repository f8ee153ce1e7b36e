// The gRPC services of a .proto file: its package, each `service` and each `rpc` in it, with
// lines. A small tokenizer, not a full protobuf parser: comments and strings are skipped, and
// what is not a package, service or rpc declaration is passed over.

export interface ProtoRpc {
  /** The full service name, as rpc.service carries it: `package.Service` (or `Service`). */
  service: string;
  method: string;
  line: number;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

export interface ProtoFile {
  package: string | null;
  rpcs: ProtoRpc[];
}

export class ProtoSyntaxError extends Error {}

interface Token {
  text: string;
  line: number;
}

function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_][\w.]*|\d[\w.]*|\n|[^\s\w]/g;
  for (const m of source.matchAll(re)) {
    const t = m[0];
    if (t === '\n') {
      line++;
      continue;
    }
    if (t.startsWith('//')) continue;
    if (t.startsWith('/*')) {
      line += t.split('\n').length - 1;
      continue;
    }
    out.push({ text: t, line });
  }
  return out;
}

const IDENT = /^[A-Za-z_]\w*$/;

/** Parses the services of a .proto source. Throws ProtoSyntaxError on a malformed service
 *  or rpc declaration (the caller lists the file as a parse error). */
export function parseProto(source: string): ProtoFile {
  const tokens = tokenize(source);
  let pkg: string | null = null;
  const rpcs: ProtoRpc[] = [];
  let i = 0;
  const at = (k: number) => tokens[k]?.text;
  const expect = (k: number, what: string, ok: (t: string) => boolean): string => {
    const t = at(k);
    if (t === undefined || !ok(t))
      throw new ProtoSyntaxError(
        `line ${tokens[k]?.line ?? tokens.at(-1)?.line ?? 1}: expected ${what}, found ${t ?? 'the end of the file'}`,
      );
    return t;
  };
  let depth = 0;
  while (i < tokens.length) {
    const t = at(i)!;
    if (t === '{') depth++;
    else if (t === '}') depth = Math.max(0, depth - 1);
    if (depth === 0 && t === 'package') {
      pkg = expect(i + 1, 'a package name', (x) => /^[A-Za-z_][\w.]*$/.test(x));
      i += 2;
      continue;
    }
    if (depth === 0 && t === 'service') {
      const name = expect(i + 1, 'a service name', (x) => IDENT.test(x));
      expect(i + 2, '"{"', (x) => x === '{');
      const full = pkg ? `${pkg}.${name}` : name;
      i += 3;
      let inner = 0;
      while (i < tokens.length && !(inner === 0 && at(i) === '}')) {
        const u = at(i)!;
        if (u === '{') inner++;
        else if (u === '}') inner--;
        else if (inner === 0 && u === 'rpc') {
          const line = tokens[i]!.line;
          const method = expect(i + 1, 'an rpc name', (x) => IDENT.test(x));
          // `( [stream] Type )`: whether it streams; moves k past it.
          let k = i + 2;
          const message = (what: string): boolean => {
            expect(k++, '"("', (x) => x === '(');
            const stream = at(k) === 'stream';
            if (stream) k++;
            expect(k++, what, (x) => /^\.?[A-Za-z_][\w.]*$/.test(x));
            expect(k++, '")"', (x) => x === ')');
            return stream;
          };
          const clientStreaming = message('a request type');
          expect(k++, '"returns"', (x) => x === 'returns');
          const serverStreaming = message('a response type');
          rpcs.push({ service: full, method, line, clientStreaming, serverStreaming });
          i = k;
          continue;
        }
        i++;
      }
      if (i >= tokens.length) throw new ProtoSyntaxError(`service ${name} is not closed`);
      i++;
      continue;
    }
    i++;
  }
  return { package: pkg, rpcs };
}
