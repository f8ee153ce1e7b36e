// The ask bench's questions and their truth, from a world's own runtime traces alone: raw spans
// (their parents, kinds, services, http.route and method, code.* attributes when present) and
// the log records in them, as the world sent them — never from Orrery's index. Pure.
//  - "how does <method route> reach <service>": the server spans from the route's span down to
//    the first span of the service, as (service, endpoint) hops; the most frequent such chain;
//  - "what calls <function>": an internal span's name (or its code.function) → every endpoint
//    above it in its traces;
//  - "where is "<line>" logged": a log line's body → its service and the endpoint above its span;
//  - "who owns the code behind <endpoint>": the service that serves the endpoint.

export interface TruthSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  kind: number;
  service: string;
  name: string;
  route: string | null;
  method: string | null;
  codeFunction: string | null;
}

export interface TruthLog {
  traceId: string | null;
  spanId: string | null;
  service: string;
  body: string;
}

export type QuestionKind = 'path' | 'callers' | 'logged' | 'owners';

export interface AskQuestion {
  kind: QuestionKind;
  question: string;
  /** For a path: the (service, endpoint) hops from the route to the service, in order: the most
   *  frequent of the shortest chains the traces show. */
  path: string[] | null;
  /** Every shortest chain the traces show (each a right answer: the route reaches the service that way). */
  paths: string[][] | null;
  /** Entities the answer must name: `endpoint <service> <METHOD route>` or `service <name>`. */
  entities: string[];
}

const SERVER = 2;
const INTERNAL = 1;
const METHOD_FIRST = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s/i;

function endpointOf(s: TruthSpan): string {
  const route = s.route ?? s.name;
  return s.method && !METHOD_FIRST.test(route) ? `${s.method.toUpperCase()} ${route}` : route;
}

function hop(s: TruthSpan): string {
  return `${s.service} ${endpointOf(s)}`;
}

function countMost(m: Map<string, number>): string | null {
  let best: string | null = null;
  let n = -1;
  for (const [k, c] of m) if (c > n || (c === n && best !== null && k < best)) [best, n] = [k, c];
  return best;
}

export function askQuestions(
  spans: readonly TruthSpan[],
  logs: readonly TruthLog[],
  opts: { max?: number } = {},
): AskQuestion[] {
  const max = opts.max ?? 60;
  const traces = new Map<string, Map<string, TruthSpan>>();
  for (const s of spans) {
    const t = traces.get(s.traceId) ?? new Map<string, TruthSpan>();
    traces.set(s.traceId, t);
    t.set(s.spanId, s);
  }
  /** The server spans above a span, nearest first (itself first when it is one). */
  const serversAbove = (trace: Map<string, TruthSpan>, s: TruthSpan): TruthSpan[] => {
    const out: TruthSpan[] = [];
    for (
      let x: TruthSpan | undefined = s, d = 0;
      x && d < 200;
      x = x.parentSpanId ? trace.get(x.parentSpanId) : undefined, d++
    )
      if (x.kind === SERVER) out.push(x);
    return out;
  };

  const paths = new Map<string, Map<string, number>>();
  const callers = new Map<string, Set<string>>();
  const logged = new Map<string, { service: string; body: string; endpoints: Set<string> }>();
  const served = new Map<string, string>();
  for (const trace of traces.values()) {
    for (const s of trace.values()) {
      if (s.kind === SERVER) {
        served.set(
          endpointOf(s),
          served.get(endpointOf(s)) === undefined || served.get(endpointOf(s)) === s.service ? s.service : '',
        );
        const chain = serversAbove(trace, s).reverse();
        // Every ancestor route of another service reaches this span's service along this chain.
        for (let i = 0; i < chain.length - 1; i++) {
          const from = chain[i]!;
          if (from.service === s.service) continue;
          const hops = chain.slice(i).map(hop);
          // The first span of the service: no hop of it before the last.
          if (chain.slice(i, -1).some((x) => x.service === s.service)) continue;
          const key = `${hop(from)}\u0000${s.service}`;
          const m = paths.get(key) ?? new Map<string, number>();
          paths.set(key, m);
          const k = hops.join('\u0001');
          m.set(k, (m.get(k) ?? 0) + 1);
        }
      } else if (s.kind === INTERNAL) {
        const fn = s.codeFunction ?? s.name;
        if (!/^[A-Za-z_$][\w$.]*$/.test(fn)) continue;
        const set = callers.get(`${s.service}\u0000${fn}`) ?? new Set<string>();
        callers.set(`${s.service}\u0000${fn}`, set);
        for (const x of serversAbove(trace, s)) set.add(hop(x));
      }
    }
  }
  for (const l of logs) {
    if (!l.traceId || !l.spanId) continue;
    const trace = traces.get(l.traceId);
    const s = trace?.get(l.spanId);
    if (!trace || !s) continue;
    // One question per distinct line shape: digits and ids vary between lines of one statement.
    const shape = `${l.service}\u0000${l.body.replace(/[0-9a-f]{8,}|\d+/gi, '#')}`;
    const e = logged.get(shape) ?? { service: l.service, body: l.body, endpoints: new Set<string>() };
    logged.set(shape, e);
    const above = serversAbove(trace, s)[0];
    if (above) e.endpoints.add(hop(above));
  }

  const out: AskQuestion[] = [];
  const pathQs: AskQuestion[] = [];
  for (const [key, m] of [...paths].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [from, service] = key.split('\u0000') as [string, string];
    const fewest = Math.min(...[...m.keys()].map((k) => k.split('\u0001').length));
    const shortest = new Map([...m].filter(([k]) => k.split('\u0001').length === fewest));
    const best = countMost(shortest)!.split('\u0001');
    const route = from.slice(from.indexOf(' ') + 1);
    pathQs.push({
      kind: 'path',
      question: `how does ${from.slice(0, from.indexOf(' '))} ${route} reach service ${service}?`,
      path: best,
      paths: [...shortest.keys()].sort().map((k) => k.split('\u0001')),
      entities: [
        ...best.map((h) => `endpoint ${h}`),
        ...new Set(best.map((h) => `service ${h.slice(0, h.indexOf(' '))}`)),
      ],
    });
  }
  const callerQs: AskQuestion[] = [...callers]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .filter(([, set]) => set.size > 0)
    .map(([key, set]) => ({
      kind: 'callers',
      question: `what calls function ${key.split('\u0000')[1]}?`,
      path: null,
      paths: null,
      entities: [...set].sort().map((h) => `endpoint ${h}`),
    }));
  const loggedQs: AskQuestion[] = [...logged.values()]
    .filter((e) => e.endpoints.size > 0)
    .sort((a, b) => a.body.localeCompare(b.body))
    .map((e) => ({
      kind: 'logged',
      question: `where is "${e.body}" logged?`,
      path: null,
      paths: null,
      entities: [`service ${e.service}`, ...[...e.endpoints].sort().map((h) => `endpoint ${h}`)],
    }));
  const ownerQs: AskQuestion[] = [...served]
    .filter(([, svc]) => svc !== '')
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([endpoint, svc]) => ({
      kind: 'owners',
      question: `who owns the code behind endpoint ${endpoint}?`,
      path: null,
      paths: null,
      entities: [`service ${svc}`],
    }));
  // Round-robin over the four kinds, so a cap keeps each kind.
  const lists = [pathQs, callerQs, loggedQs, ownerQs];
  for (let i = 0; out.length < max && lists.some((l) => i < l.length); i++)
    for (const l of lists) if (i < l.length && out.length < max) out.push(l[i]!);
  return out;
}
