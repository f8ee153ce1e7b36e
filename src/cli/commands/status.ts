// `orrery status`: the store backend, schema, retention and counts per entity.
import type { Command } from 'commander';
import type { StoreStatus } from '../../model/index.js';
import type { GlobalOptions } from '../client.js';
import { table } from '../table.js';

interface StatusResponse {
  version: string;
  startedAt: string;
  ingestQueue: number;
  store: StoreStatus;
}

export function registerStatus(program: Command, client: (cmd: Command) => GlobalOptions): void {
  program
    .command('status')
    .description('show the server, its store backend, retention, and counts per entity')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const s = await client(cmd).api.request<StatusResponse>('GET', 'api/status');
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const st = s.store;
      process.stdout.write(
        `Orrery ${s.version}, up since ${s.startedAt}\n` +
          `store: ${st.backend} at ${st.location}, schema v${st.schemaVersion}, raw events kept ${st.retentionDays} days\n` +
          `ingest queue: ${s.ingestQueue} records\n\n`,
      );
      process.stdout.write(
        `${table(
          ['raw events', 'count', 'oldest', 'newest', 'partitions'],
          Object.entries(st.raw).map(([k, v]) => [k, v.count, v.oldest ?? '-', v.newest ?? '-', v.partitions]),
        )}\n\n`,
      );
      process.stdout.write(
        `${table(
          ['entity', 'count'],
          Object.entries(st.entities).map(([k, v]) => [k, v]),
        )}\n`,
      );
    });
}
