// `orrery up`: serve the API, the OTLP receiver and (later) the web UI on one store.
import type { Command } from 'commander';
import { type Config, isLoopback, loadConfig } from '../../config/index.js';
import { startOrrery } from '../../server/index.js';
import type { Store } from '../../store/index.js';
import { version } from '../version.js';

export interface UpFlags {
  host?: string;
  port?: string;
  otlpHost?: string;
  otlpPort?: string;
  dataDir?: string;
  retention?: string;
  auth?: string;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('serve the API and the OTLP/HTTP receiver on the embedded store (or ORRERY_DATABASE_URL)')
    .option('--host <host>', 'address for the API (env ORRERY_HOST)', undefined)
    .option('--port <port>', 'API port (env ORRERY_PORT)', undefined)
    .option('--otlp-host <host>', 'address for the OTLP receiver; defaults to --host (env ORRERY_OTLP_HOST)')
    .option('--otlp-port <port>', 'OTLP/HTTP port (env ORRERY_OTLP_PORT)')
    .option('--data-dir <dir>', 'embedded store directory (env ORRERY_DATA_DIR)')
    .option('--retention <age>', 'how long raw logs and spans are kept, e.g. 7d or 48h (env ORRERY_RETENTION)')
    .option('--auth <mode>', '"auto": no token needed on loopback; "required": always (env ORRERY_AUTH)')
    .addHelpText(
      'after',
      `
Defaults: API on 127.0.0.1:8470, OTLP on 127.0.0.1:4318, store in ./.orrery, retention 7d.
Bound to loopback, requests without a token are allowed. Bound to any other address,
every request needs "Authorization: Bearer <token>": create one first with
  orrery token create --name ingest --offline

Examples:
  orrery up
  orrery up --host 0.0.0.0 --retention 3d
  ORRERY_DATABASE_URL=postgres://orrery@db:5432/orrery orrery up`,
    )
    .action(async (flags: UpFlags) => {
      const config = loadConfig(process.env, {
        host: flags.host,
        port: flags.port,
        otlpHost: flags.otlpHost,
        otlpPort: flags.otlpPort,
        dataDir: flags.dataDir,
        retention: flags.retention,
        auth: flags.auth,
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
  process.stdout.write(banner(config, running.addresses, running.ctx.store.db.location));
  if (!anonymousEverywhere(config)) await bootstrapToken(running.ctx.store);
}

function anonymousEverywhere(config: Config): boolean {
  return config.auth === 'auto' && isLoopback(config.host) && isLoopback(config.otlpHost);
}

/** With auth required and no live token, nobody could use the server: mint one, show it once. */
async function bootstrapToken(store: Store): Promise<void> {
  const live = (await store.listTokens()).filter((t) => t.revokedAt === null);
  if (live.length > 0) return;
  const { token } = await store.createToken('bootstrap');
  process.stdout.write(
    `No API token existed, so one named "bootstrap" was created. It is shown only this once:\n\n  ${token}\n\n` +
      'Use it to create named tokens (ORRERY_TOKEN=... orrery token create --name NAME), then revoke it:\n' +
      '  orrery token revoke bootstrap\n',
  );
}

function banner(config: Config, addr: { api: string; otlp: string }, location: string): string {
  const open = anonymousEverywhere(config);
  const store = config.databaseUrl ? `PostgreSQL ${location}` : `embedded PGlite in ${location}`;
  const authLine = open
    ? 'no token needed (loopback only)'
    : 'a Bearer token is required (orrery token create --name NAME)';
  return `
Orrery is up.
  API        ${addr.api}
  OTLP/HTTP  ${addr.otlp}   (POST /v1/traces, /v1/logs, /v1/metrics; protobuf or JSON)
  store      ${store}, raw events kept ${config.retention} days
  auth       ${authLine}

Point an OpenTelemetry SDK or Collector at it:
  export OTEL_EXPORTER_OTLP_ENDPOINT=${addr.otlp}
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  export OTEL_SERVICE_NAME=my-service${open ? '' : '\n  export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer%20$ORRERY_TOKEN"'}

Then look at what arrived:
  orrery status
  orrery query spans --since 15m
  orrery query logs --service my-service --grep error

Press Ctrl-C to stop.
`;
}
