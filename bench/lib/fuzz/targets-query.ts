// The API's parameters: every GET route the router registered, with hostile values in each of its
// query parameters (keys from the route's own schema, or any key) and route parameters.
import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { hostileParam, hostileString } from './hostile.js';
import { type Target, preview } from './target.js';

// --- every GET route's parameters --------------------------------------------------------------

/**
 * Percent-encodes any string, lone surrogates included: those go as the three bytes UTF-8 would
 * give them (WTF-8), which are not valid UTF-8, as a hostile client may send them.
 */
export function encodeHostile(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** The keys of a Zod object schema (what the routes declare), or none. */
function keysOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Values a parameter is expected to take, so that hostile ones sit beside plausible ones. */
const PLAUSIBLE = [
  '1h',
  '15m',
  '2026-11-21T09:00:00Z',
  '10',
  '1',
  'seeded-checkout',
  'user-1',
  '0af7651916cd43dd8448eb211c80319c',
];

interface GetCase {
  route: number;
  params: Array<[string, string]>;
  path: string[];
}

export function getRoutes(routes: readonly RouteOptions[]): RouteOptions[] {
  return routes.filter(
    (r) => (Array.isArray(r.method) ? r.method : [r.method]).includes('GET') && !r.url.includes('*'),
  );
}

export function serverQuery(routes: () => RouteOptions[]): Target<GetCase> {
  const value = fc.oneof(
    { weight: 3, arbitrary: hostileParam },
    { weight: 1, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  );
  const url = (c: GetCase): string => {
    const r = routes()[c.route % routes().length]!;
    let i = 0;
    const path = r.url.replace(/:(\w+)/g, () => encodeHostile(c.path[i++ % c.path.length] ?? 'x'));
    const known = keysOf(r.schema?.querystring);
    const q = c.params
      .map(
        ([k, v]) =>
          `${encodeHostile(known.length && !k.startsWith('?') ? known[k.length % known.length]! : k)}=${encodeHostile(v)}`,
      )
      .join('&');
    return q ? `${path}?${q}` : path;
  };
  return {
    name: 'api/get-params',
    kind: 'server',
    weight: 3,
    arbitrary: fc.record({
      route: fc.nat(),
      // Keys are picked from the route's own (by the key's length) or, prefixed "?", sent as they are.
      params: fc.array(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 12 }),
            hostileString.map((k) => `?${k}`),
          ),
          value,
        ),
        { maxLength: 5 },
      ),
      path: fc.array(value, { minLength: 1, maxLength: 3 }),
    }),
    show: (c) => preview(url(c)),
    async run(c, s) {
      const res = await s.api('GET', url(c));
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      return { status: res.status, accepted: res.status < 300 };
    },
  };
}
