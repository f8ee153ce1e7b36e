// The fuzz targets: each decoder and parser on its own (pure: it accepts the input or throws
// its documented error, nothing else) and each through the server (never a 5xx, and the
// server's answer agrees with the pure decoder's verdict where one exists). One list, run by
// the bounded tests (test/fuzz-*.test.ts) and by `npm run bench -- fuzz`.
import type { RouteOptions } from 'fastify';
import { TICKET_FORMATS } from '../../../src/ingest/sources/tickets/index.js';
import type { Signal } from '../../../src/model/index.js';
import type { Target } from './target.js';
import { pureInfra, pureSentry, serverDeploy, serverInfra, serverSentry } from './targets-ingest.js';
import { pureOtlp, serverGrpc, serverOtlp } from './targets-otlp.js';
import { serverQuery } from './targets-query.js';
import { pureImport, pureWebhook, serverImport, serverWebhook } from './targets-tickets.js';

export type { Outcome, Target } from './target.js';
export { preview, unstorableText } from './target.js';
export { SENTRY_PROJECT } from './targets-ingest.js';
export { encodeHostile, getRoutes } from './targets-query.js';

const SIGNALS: Signal[] = ['traces', 'logs', 'metrics'];

const erase = <T>(t: Target<T>) => t as unknown as Target<unknown>;

/** Every target: pure decoders first, then the server's routes. */
export function allTargets(opts: { sentryKey: () => string; routes: () => RouteOptions[] }): Target<unknown>[] {
  const list: Target<unknown>[] = [];
  for (const signal of SIGNALS) for (const f of ['protobuf', 'json'] as const) list.push(erase(pureOtlp(signal, f)));
  for (const format of TICKET_FORMATS) list.push(erase(pureWebhook(format)));
  list.push(erase(pureImport), erase(pureInfra), erase(pureSentry));
  for (const signal of SIGNALS) for (const f of ['protobuf', 'json'] as const) list.push(erase(serverOtlp(signal, f)));
  for (const signal of SIGNALS) list.push(erase(serverGrpc(signal)));
  for (const format of TICKET_FORMATS) list.push(erase(serverWebhook(format)));
  list.push(
    erase(serverImport),
    erase(serverDeploy),
    erase(serverInfra),
    erase(serverSentry(opts.sentryKey)),
    erase(serverQuery(opts.routes)),
  );
  return list;
}
