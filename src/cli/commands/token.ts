// `orrery token create|list|revoke`: API tokens. Only a hash is stored; the token is
// printed once, at creation.
import { type Command, Option } from 'commander';
import { loadConfig } from '../../config/index.js';
import { type ApiToken, GENERAL_TOKEN_ROLES, type TokenRole } from '../../model/index.js';
import { openStore, tokenNameProblem } from '../../store/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';

export function registerToken(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const token = program
    .command('token')
    .description('create, list and revoke API tokens (sent as "Authorization: Bearer <token>")');

  token
    .command('create')
    .description('create a token and print it once; only its hash is stored')
    .requiredOption('--name <name>', 'a name to recognise it by, e.g. the service or person using it')
    .addOption(
      new Option(
        '--role <role>',
        'what it may do: ingest (OTLP, webhooks), viewer (read), operator (+ run investigations, record data), approver (+ approve proposals), admin (everything but approving, tokens included); default viewer, admin with --offline',
      ).choices(GENERAL_TOKEN_ROLES),
    )
    .option('--offline', 'write to the store directly instead of through the server (to bootstrap the first token)')
    .option('--data-dir <dir>', 'with --offline: the embedded store directory (env ORRERY_DATA_DIR)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  orrery token create --name checkout-service --role ingest
  orrery token create --name alice --role operator
  orrery token create --name admin --offline     # an admin token, before the first \`orrery up --host 0.0.0.0\`
  export ORRERY_TOKEN=orr_...                   # then every command sends it`,
    )
    .action(
      async (
        f: { name: string; role?: TokenRole; offline?: boolean; dataDir?: string; json?: boolean },
        cmd: Command,
      ) => {
        const problem = tokenNameProblem(f.name);
        if (problem) throw new CliError(`token name "${f.name}": ${problem}`, EXIT.usage);
        let created: { token: string; record: ApiToken };
        if (f.offline) {
          const config = loadConfig(process.env, { dataDir: f.dataDir });
          const store = await openStore({
            databaseUrl: config.databaseUrl,
            dataDir: config.dataDir,
            retentionDays: config.retention,
            ...(config.auditKey ? { auditKey: config.auditKey } : {}),
          });
          try {
            // Offline is how the first token is made, so it is an admin unless told otherwise.
            created = await store.createToken(f.name, { role: f.role ?? 'admin', actor: 'cli-offline' });
          } finally {
            await store.close();
          }
        } else {
          created = await client(cmd).api.request('POST', 'api/tokens', { name: f.name, role: f.role ?? 'viewer' });
        }
        if (f.json) return void process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
        process.stdout.write(
          `Created token "${created.record.name}" (id ${created.record.id}, role ${created.record.role}). It is shown only this once:\n\n  ${created.token}\n\n` +
            'Use it as:  export ORRERY_TOKEN=<token>   or   Authorization: Bearer <token>\n',
        );
      },
    );

  token
    .command('list')
    .description('list tokens (names and prefixes; never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (f: { json?: boolean }, cmd: Command) => {
      const res = await client(cmd).api.request<{ tokens: ApiToken[] }>('GET', 'api/tokens');
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['id', 'name', 'role', 'prefix', 'created', 'last used', 'revoked'],
          res.tokens.map((t) => [
            t.id,
            t.name,
            t.role,
            `${t.prefix}…`,
            String(t.createdAt),
            t.lastUsedAt ?? '-',
            t.revokedAt ?? '-',
          ]),
        )}\n`,
      );
    });

  token
    .command('revoke <idOrName>')
    .description('revoke a token by id or name; it stops working at once on this server')
    .action(async (idOrName: string, _f: unknown, cmd: Command) => {
      const res = await client(cmd).api.request<{ revoked: ApiToken[] }>(
        'DELETE',
        `api/tokens/${encodeURIComponent(idOrName)}`,
      );
      process.stdout.write(`Revoked ${res.revoked.map((t) => `"${t.name}" (id ${t.id})`).join(', ')}\n`);
    });
}
