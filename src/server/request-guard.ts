// Refuses what a browser can be made to send on a visitor's behalf, before auth and before any
// body is read (an onRequest hook on each listener):
//  - DNS rebinding: a Host that is not one of this server's names gets 421 (the API listener;
//    the OTLP-only listener is called by SDKs under whatever name they were given);
//  - cross-site writes: a POST/PUT/PATCH/DELETE is let in only when `Sec-Fetch-Site` is absent,
//    `same-origin` or `none`, and any `Origin` is this server's own: the Host it was sent to,
//    name and port, where that name is one of ours. A page on another loopback port is
//    "same-site" to a browser, so same-site is refused too (403);
//  - bodies a browser sends cross-site without a preflight: a state-changing request's body
//    must have its route's content type, JSON unless the route says otherwise (415).
// Exempt from the Origin and Sec-Fetch-Site rules: requests `exempt` accepts (webhook deliveries
// that carry the sender's signature where a secret is set; they are verified before storing; and
// the Sentry routes, which take only a project's DSN key). CORS stays off everywhere else: only
// the Sentry routes send Access-Control-* headers (server/sentry-routes).
import { STATUS_CODES } from 'node:http';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const JSON_ONLY = ['application/json'] as const;

/**
 * Content types a route's body may have, by `METHOD /route`; unlisted state-changing routes take
 * JSON only. `null`: the route checks its own (the OTLP receiver answers 415 in OTLP's format).
 */
export const BODY_TYPES: Readonly<Record<string, readonly string[] | null>> = {
  'POST /api/tickets/import': ['text/csv', 'application/csv', 'application/json', 'application/x-ndjson'],
  'POST /webhooks/github': ['application/json', 'application/x-www-form-urlencoded'],
  'POST /v1/logs': null,
  'POST /v1/traces': null,
  'POST /v1/metrics': null,
  // Sentry SDKs label envelopes application/x-sentry-envelope, text/plain (browsers) or JSON.
  'POST /api/:project/envelope/': null,
  'POST /api/:project/envelope': null,
  'POST /api/:project/store/': null,
  'POST /api/:project/store': null,
};

export interface HostPolicyOptions {
  /** The address the listener is bound to, as configured. */
  bound: string;
  /** Further names (ORRERY_PUBLIC_HOSTS); `*` accepts any Host. */
  publicHosts: readonly string[];
}

/**
 * Which Host names a listener answers to (ports are not compared: a rebinding page differs in
 * name, not port): loopback names always; the bound address unless it is a wildcard; on a
 * wildcard, the machine's host name and its interfaces' addresses; and the configured names.
 */
export function hostPolicy(opts: HostPolicyOptions): (host: string) => boolean {
  if (opts.publicHosts.includes('*')) return () => true;
  const bound = bareHost(opts.bound);
  const wildcard = WILDCARDS.has(bound);
  const fixed = new Set([...LOOPBACK_NAMES, ...opts.publicHosts.map(bareHost)]);
  if (!wildcard) fixed.add(bound);
  if (wildcard) {
    const name = osHostname().toLowerCase();
    fixed.add(name);
    fixed.add(name.split('.')[0]!);
  }
  let addresses = new Set<string>();
  let readAt = 0;
  return (host) => {
    const h = bareHost(host);
    if (fixed.has(h)) return true;
    if (!wildcard) return false;
    // Addresses change (DHCP, a new interface): re-read them on a miss, at most every 10 s.
    if (Date.now() - readAt > 10_000) {
      addresses = new Set(
        Object.values(networkInterfaces())
          .flat()
          .map((i) => i?.address.toLowerCase() ?? ''),
      );
      readAt = Date.now();
    }
    return addresses.has(h);
  };
}

/** `Name:8470`, `[::1]:8470` or `name.` → `name` / `::1`. */
export function bareHost(host: string): string {
  const h = host.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(h);
  if (v6) return v6[1]!;
  const colons = h.split(':').length - 1;
  const name = colons === 1 ? h.slice(0, h.indexOf(':')) : h;
  return name.replace(/\.$/, '');
}

export interface RequestGuardOptions {
  /** Which Host names are this server's (hostPolicy). */
  hosts: (host: string) => boolean;
  /**
   * Refuse any other Host (421). Off for the OTLP-only listener, whose SDK callers use any
   * name; an `Origin` there must still name one of ours, so a rebound page is refused.
   */
  enforceHost: boolean;
  /** Requests let through without the Origin and Sec-Fetch-Site rules (signed deliveries). */
  exempt?: (req: FastifyRequest) => boolean;
  /** Sends a refusal in the listener's own format; default a JSON error body. */
  deny?: (reply: FastifyReply, status: number, message: string) => FastifyReply;
}

export function requestGuard(opts: RequestGuardOptions) {
  const deny =
    opts.deny ??
    ((reply: FastifyReply, status: number, message: string) =>
      reply.code(status).send({ statusCode: status, error: STATUS_CODES[status], message }));
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const host = req.headers.host;
    const ourHost = host !== undefined && opts.hosts(host);
    if (opts.enforceHost && host !== undefined && !ourHost) {
      return deny(
        reply,
        421,
        `this server does not answer to the host name "${bareHost(host)}": add it to ORRERY_PUBLIC_HOSTS (or --public-host) if Orrery is reached under it`,
      );
    }
    const method = req.method.toUpperCase();
    if (!STATE_CHANGING.has(method)) return;
    const route = `${method} ${req.routeOptions.url ?? ''}`;

    if (!opts.exempt?.(req)) {
      const site = header(req, 'sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        return deny(
          reply,
          403,
          `refused a ${site} request from a browser: only pages served by Orrery itself may change anything`,
        );
      }
      const origin = header(req, 'origin');
      if (origin !== undefined && !(ourHost && sameOrigin(origin, host))) {
        return deny(
          reply,
          403,
          `refused a request from the page at ${origin}: only pages served by Orrery itself may change anything (CORS is off)`,
        );
      }
    }

    if (req.routeOptions.url === undefined) return; // no such route: a 404, whatever the body
    const types = route in BODY_TYPES ? (BODY_TYPES[route] ?? null) : JSON_ONLY;
    if (types === null || !hasBody(req)) return;
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!types.includes(type)) {
      return deny(reply, 415, `unsupported Content-Type "${type}" here: send ${types.join(' or ')}`);
    }
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hasBody(req: FastifyRequest): boolean {
  const length = header(req, 'content-length');
  return header(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** The page's origin is this server as the browser addressed it: same name and port as Host. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
  }
  const defaultPort = DEFAULT_PORT[o.protocol];
  if (defaultPort === undefined) return false;
  let h: URL;
  try {
    h = new URL(`${o.protocol}//${host}`);
  } catch {
    return false;
  }
  return o.hostname === h.hostname && (o.port || defaultPort) === (h.port || defaultPort);
}

/**
 * Webhook deliveries that carry their sender's signature header where that sender's secret is
 * set: the signature is checked against the body before anything is stored (a bad one is a
 * 401), and a browser page cannot make one, so such a request need not come from our origin.
 */
export function signedWebhook(
  formats: readonly { name: string; signature?: { missing(headers: Headers): boolean } }[],
  secretOf: (format: string) => string | undefined,
): (req: FastifyRequest) => boolean {
  const byRoute = new Map(formats.map((f) => [`/webhooks/${f.name}`, f]));
  return (req) => {
    const format = byRoute.get(req.routeOptions.url ?? '');
    if (!format?.signature || !secretOf(format.name)) return false;
    return !format.signature.missing(req.headers as Headers);
  };
}

type Headers = Record<string, string | string[] | undefined>;

/** An exemption that holds when any of `rules` does. */
export function anyOf(...rules: ((req: FastifyRequest) => boolean)[]): (req: FastifyRequest) => boolean {
  return (req) => rules.some((r) => r(req));
}
