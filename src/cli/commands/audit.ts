// `orrery audit list|verify|export`: the audit trail and the check of its hash chain, through
// the server or (--offline) on the store directly, with this machine's audit key and anchor.
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import type { AuditEntry, AuditVerification } from '../../model/index.js';
import { type Store, openStore } from '../../store/index.js';
import { auditEntries, exportAudit, verifyAudit } from '../../workflows/index.js';
import type { Context } from '../../workflows/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';

interface OfflineFlags {
  offline?: boolean;
  dataDir?: string;
}

async function withOfflineStore<T>(f: OfflineFlags, fn: (ctx: Pick<Context, 'store'>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { dataDir: f.dataDir });
  const store: Store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    retentionDays: config.retention,
    ...(config.auditKey ? { auditKey: config.auditKey } : {}),
  });
  try {
    return await fn({ store });
  } finally {
    await store.close();
  }
}

function verificationText(v: AuditVerification): string {
  const lines = [
    v.ok
      ? `The audit chain is whole: ${v.chained} chained entr${v.chained === 1 ? 'y' : 'ies'}, every hash, link and MAC checked.`
      : `The audit chain is broken: ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'} in ${v.entries} entries.`,
  ];
  if (v.legacy > 0)
    lines.push(`${v.legacy} entries written before the chain began: their count is checked, their fields are not.`);
  lines.push(
    v.anchor
      ? `Anchor: entry ${v.anchor.seq}, written ${v.anchor.writtenAt}.`
      : 'No anchor on this node yet: a deleted tail could not be told here (the anchor is written once the chain is found whole).',
  );
  for (const p of v.problems) lines.push(`  - [${p.kind}] ${p.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerAudit(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const audit = program
    .command('audit')
    .description(
      "the audit trail: who changed access, approved or ran what, and when, in a hash chain signed with this install's audit key",
    )
    .addHelpText(
      'after',
      `
Every entry links to the hash of the one before it and carries an HMAC under the audit key
(ORRERY_AUDIT_KEY, or <data dir>/audit.key), which is kept outside the database; the anchor
(<data dir>/audit-anchor.json) records how far the chain reached. See docs/configuration.md#audit-trail.

Examples:
  orrery audit list --limit 20
  orrery audit verify            # exit 0: whole; 6: broken (the problems are listed)
  orrery audit export > audit-$(date +%F).jsonl`,
    );

  const offline = (c: Command) =>
    c
      .option(
        '--offline',
        'read the store directly instead of through the server (the server must not be running on it)',
      )
      .option('--data-dir <dir>', 'with --offline: the embedded store directory (env ORRERY_DATA_DIR)');

  offline(
    audit
      .command('list')
      .description('the newest entries, newest first')
      .option('--limit <n>', 'how many (1–10000)', '100')
      .option('--json', 'print JSON'),
  ).action(async (f: OfflineFlags & { limit: string; json?: boolean }, cmd: Command) => {
    const limit = Number(f.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new CliError(`--limit must be a whole number from 1 to 10000, not "${f.limit}"`, EXIT.usage);
    const entries = f.offline
      ? await withOfflineStore(f, (ctx) => auditEntries(ctx, { limit }))
      : (await client(cmd).api.request<{ entries: AuditEntry[] }>('GET', `api/audit?limit=${limit}`)).entries;
    if (f.json) return void process.stdout.write(`${JSON.stringify({ entries }, null, 2)}\n`);
    process.stdout.write(
      `${table(
        ['seq', 'at', 'actor', 'action', 'subject', 'detail'],
        entries.map((e) => [
          e.seq ?? '-',
          e.at,
          e.actor,
          e.action,
          e.subjectKind ? `${e.subjectKind} ${e.subjectId ?? ''}` : '-',
          JSON.stringify(e.detail),
        ]),
      )}\n`,
    );
  });

  offline(
    audit
      .command('verify')
      .description('check the chain: no entry edited, deleted or added, and the tail not cut; exits 6 when broken')
      .option('--json', 'print JSON'),
  ).action(async (f: OfflineFlags & { json?: boolean }, cmd: Command) => {
    const v = f.offline
      ? await withOfflineStore(f, verifyAudit)
      : (await client(cmd).api.request<{ verification: AuditVerification }>('GET', 'api/audit/verify')).verification;
    process.stdout.write(f.json ? `${JSON.stringify(v, null, 2)}\n` : verificationText(v));
    if (!v.ok)
      throw new CliError(
        `the audit chain is broken (${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}, listed above)`,
        EXIT.auditBroken,
      );
  });

  offline(
    audit.command('export').description('every entry, oldest first, as JSON lines with its hash and MAC (to stdout)'),
  ).action(async (f: OfflineFlags, cmd: Command) => {
    if (f.offline) {
      const entries = await withOfflineStore(f, exportAudit);
      for (const e of entries) process.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const res = await client(cmd).api.send('GET', 'api/audit/export', {
      headers: { accept: 'application/x-ndjson' },
    });
    process.stdout.write(await res.text());
  });
}
