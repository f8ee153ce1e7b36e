// `orrery up`: serve the API, the OTLP receiver and the web UI on one store.
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Command } from 'commander';
import { type Config, isLoopback, loadConfig } from '../../config/index.js';
import { startOrrery, worksTheServer } from '../../server/index.js';
import type { Store } from '../../store/index.js';
import { version } from '../version.js';

export interface UpFlags {
  host?: string;
  port?: string;
  otlpHost?: string;
  otlpPort?: string;
  otlpGrpcPort?: string;
  dataDir?: string;
  retention?: string;
  auth?: string;
  publicHost?: string[];
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'serve the API and the OTLP/HTTP and OTLP/gRPC receivers on the embedded store (or ORRERY_DATABASE_URL)',
    )
    .option('--host <host>', 'address for the API (env ORRERY_HOST)', undefined)
    .option('--port <port>', 'API port (env ORRERY_PORT)', undefined)
    .option('--otlp-host <host>', 'address for the OTLP receiver; defaults to --host (env ORRERY_OTLP_HOST)')
    .option('--otlp-port <port>', 'OTLP/HTTP port (env ORRERY_OTLP_PORT)')
    .option('--otlp-grpc-port <port>', 'OTLP/gRPC port, or "off" (env ORRERY_OTLP_GRPC_PORT)')
    .option('--data-dir <dir>', 'embedded store directory (env ORRERY_DATA_DIR)')
    .option('--retention <age>', 'how long raw logs and spans are kept, e.g. 7d or 48h (env ORRERY_RETENTION)')
    .option('--auth <mode>', '"auto": no token needed on loopback; "required": always (env ORRERY_AUTH)')
    .option(
      '--public-host <name>',
      'a host name the API is reached under besides loopback and the bound address; repeatable (env ORRERY_PUBLIC_HOSTS, comma separated)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      `
Defaults: API on 127.0.0.1:8470, OTLP/HTTP on 127.0.0.1:4318, OTLP/gRPC on 127.0.0.1:4317
(on --otlp-host), store in ./.orrery, retention 7d.
Bound to loopback, requests without a token are allowed. Bound to any other address,
every request needs "Authorization: Bearer <token>": create one first with
  orrery token create --name admin --offline
(or let the first start mint an admin token named "bootstrap" and print it once).
Requests under a host name that is not loopback, the bound address or a --public-host
get 421 (bound to 0.0.0.0, the machine's own name and addresses count too).
Under load, ingest is refused with 503 + Retry-After once the resident memory nears
ORRERY_MAX_RSS_MB (default 1024), and an address that keeps sending bad tokens gets 429
+ Retry-After (ORRERY_AUTH_FAILURE_LIMIT, ORRERY_AUTH_PENALTY_MAX_SECONDS); every
setting is in docs/configuration.md.

Examples:
  orrery up
  orrery up --host 0.0.0.0 --retention 3d
  orrery up --host 0.0.0.0 --public-host orrery.example.com
  ORRERY_DATABASE_URL=postgres://orrery@db:5432/orrery orrery up`,
    )
    .action(async (flags: UpFlags) => {
      const config = loadConfig(process.env, {
        host: flags.host,
        port: flags.port,
        otlpHost: flags.otlpHost,
        otlpPort: flags.otlpPort,
        otlpGrpcPort: flags.otlpGrpcPort,
        dataDir: flags.dataDir,
        retention: flags.retention,
        auth: flags.auth,
        publicHosts: flags.publicHost?.join(','),
      });
      await runUp(config);
    });
}

async function runUp(config: Config): Promise<void> {
  process.stdout.write(`Starting Orrery ${version()}…\n`);
  const running = await startOrrery(config, { allowAnonymousLoopback: true, version: version() });
  const shutdown = (signal: string) => {
    process.stdout.write(`\n${signal}: stopping (finishing in-flight batches)…\n`);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const bound = {
    api: running.server.api.server.address() as AddressInfo,
    otlp: running.server.otlp.server.address() as AddressInfo,
  };
  process.stdout.write(
    banner(config, { ...bound, grpc: running.server.grpc?.boundPort ?? null }, running.ctx.store.db.location),
  );
  if (!anonymousEverywhere(config)) await bootstrapToken(running.ctx.store);
}

function anonymousEverywhere(config: Config): boolean {
  return config.auth === 'auto' && isLoopback(config.host) && isLoopback(config.otlpHost);
}

/**
 * With tokens needed (a non-loopback bind or auth=required) and no live token (a Sentry DSN's
 * key does not count: it only posts events), nobody could use the server: mint an admin token named "bootstrap" and show it once (its audit row's
 * actor is `bootstrap`).
 */
async function bootstrapToken(store: Store): Promise<void> {
  const live = (await store.listTokens()).filter((t) => t.revokedAt === null && worksTheServer(t.role));
  if (live.length > 0) return;
  const { token } = await store.createToken('bootstrap', { role: 'admin', actor: 'bootstrap' });
  process.stdout.write(
    `No API token existed, so an admin token named "bootstrap" was created. It is shown only this once:\n\n  ${token}\n\n` +
      'Use it to create named tokens (ORRERY_TOKEN=... orrery token create --name NAME --role ROLE), then revoke it:\n' +
      '  orrery token revoke bootstrap\n',
  );
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** `http://address:port` with IPv6 addresses bracketed. */
function url(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The address a listener is bound to and a URL to reach it by. Bound to a wildcard, it listens
 * on every interface: the URL uses the machine's name, and the addresses are listed.
 */
export function describeBound(addr: AddressInfo): { bound: string; url: string; note: string } {
  const bound = url(addr.address, addr.port);
  if (!WILDCARDS.has(addr.address)) return { bound, url: bound, note: '' };
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && (addr.address === '::' || i.family === 'IPv4'))
    .map((i) => url(i!.address, addr.port));
  const others = ips.length > 0 ? `; also ${ips.slice(0, 3).join(', ')}` : '';
  return {
    bound,
    url: url(hostname(), addr.port),
    note: `   (all interfaces; reach it as ${url(hostname(), addr.port)}${others})`,
  };
}

export function banner(
  config: Config,
  addr: { api: AddressInfo; otlp: AddressInfo; grpc: number | null },
  location: string,
): string {
  const api = describeBound(addr.api);
  const otlp = describeBound(addr.otlp);
  const grpc =
    addr.grpc === null
      ? null
      : describeBound({ address: addr.otlp.address, family: addr.otlp.family, port: addr.grpc });
  const open = anonymousEverywhere(config);
  const store = config.databaseUrl ? `PostgreSQL ${location}` : `embedded PGlite in ${location}`;
  const authLine = open
    ? 'no token needed (loopback only)'
    : 'a Bearer token is required (orrery token create --name NAME --role ROLE)';
  return `
Orrery is up.
  API        ${api.bound}${api.note}
  OTLP/HTTP  ${otlp.bound}${otlp.note}
             POST /v1/traces, /v1/logs, /v1/metrics; protobuf or JSON
  OTLP/gRPC  ${grpc ? `${grpc.bound.replace(/^http:\/\//, '')}${grpc.note}` : 'off'}
  store      ${store}, raw events kept ${config.retention} days
  auth       ${authLine}

Point an OpenTelemetry SDK or Collector at it:
  export OTEL_EXPORTER_OTLP_ENDPOINT=${otlp.url}
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  export OTEL_SERVICE_NAME=my-service${open ? '' : '\n  export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer%20$ORRERY_TOKEN"'}
${grpc ? `or over gRPC: OTEL_EXPORTER_OTLP_ENDPOINT=${grpc.url} OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n` : ''}
Then look at what arrived:
  orrery status
  orrery query spans --since 15m
  orrery query logs --service my-service --grep error

Press Ctrl-C to stop.
`;
}
