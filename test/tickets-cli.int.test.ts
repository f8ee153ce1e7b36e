// `orrery tickets` as a user runs it, against a real `orrery up`: importing a CSV and a
// Zendesk JSON export with progress output and counts, listing and showing tickets, and a
// bad file that exits 2 and imports nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ServerProcess } from '../bench/lib/server-process.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/tickets/', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** util-linux `script` runs a command on a pseudo-terminal, where the CLI draws its progress bar. */
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));

describe('orrery tickets', () => {
  let server: ServerProcess;
  let dataDir: string;
  let work: string;
  before(async () => {
    dataDir = await freshDataDir();
    work = mkdtempSync(join(tmpdir(), 'orrery-tickets-cli-'));
    server = await ServerProcess.start({ dataDir, logDir: work });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli(['tickets', ...args, '--server', server.apiUrl]);
  // Checks read through the API directly: only the commands under test are spawned.
  const listed = async () =>
    (
      await server.getJson<{ tickets: Array<{ id: number; externalId: string; source: string }> }>(
        '/api/tickets?limit=1000',
      )
    ).tickets;

  it('imports a CSV, printing progress and the counts', async () => {
    const rows = Array.from(
      { length: 120 },
      (_, i) =>
        `C-${i},"Cart shows 0 (case ${i})","user u-${i} added three things, GET /cart/${i} returns 500",open,2026-11-22T10:${String(i % 60).padStart(2, '0')}:00Z,c${i}@example.com`,
    );
    const file = join(work, 'support.csv');
    writeFileSync(file, `id,subject,description,status,created_at,email\n${rows.join('\n')}\n`);
    const r = await cli('import', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /support\.csv: 120 tickets \(generic-csv\)/);
    assert.match(r.stderr, /uploading: .*\(100%\)/);
    assert.match(r.stderr, /importing: 120\/120 \(100%\)/);
    assert.match(
      r.stdout,
      /Imported 120 tickets from support\.csv \(generic-csv\): 120 new, 0 updated; 480 mentions, 240 links\./,
    );
    assert.equal((await listed()).length, 120);
  });

  it('draws a progress bar on a terminal', { skip: SCRIPT ? false : 'no `script` to make a pseudo-terminal' }, () => {
    const file = join(work, 'tty.csv');
    writeFileSync(file, `id,title\n${Array.from({ length: 50 }, (_, i) => `TTY-${i},Ticket ${i}`).join('\n')}\n`);
    const cmd = `${process.execPath} --import tsx src/cli/main.ts tickets import ${file} --server ${server.apiUrl}`;
    const out = execFileSync(SCRIPT!, ['-qec', cmd, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ORRERY_TOKEN: '' },
    });
    assert.match(out, /\ruploading {2}\[#{30}\] 100%/);
    assert.match(out, /\rimporting {2}\[#{30}\] 100% 50\/50/);
    assert.match(out, /Imported 50 tickets from tty\.csv/);
  });

  it('imports a Zendesk JSON export (format detected), then updates on a second import', async () => {
    const file = join(FIXTURES, 'zendesk', 'tickets.export.json');
    const r = await cli('import', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Imported 2 tickets from tickets\.export\.json \(zendesk-json\): 2 new, 0 updated/);
    const again = await cli('import', file, '--format', 'zendesk-json', '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      format: 'zendesk-json',
      total: 2,
      created: 0,
      updated: 2,
      mentions: 5,
      links: 2,
    });
    assert.equal(again.stderr, '', '--json prints no progress');
    assert.deepEqual(
      (await listed())
        .filter((t) => t.source === 'zendesk')
        .map((t) => t.externalId)
        .sort(),
      ['35436', '35440'],
    );
  });

  it('shows a ticket with its mentions and links; an unknown id exits 2', async () => {
    const id = (await listed()).find((t) => t.externalId === '35440')!.id;
    const text = await cli('show', String(id));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Ticket \d+: zendesk 35440 {2}\[closed \/ solved\]/);
    assert.match(text.stdout, /account\s+7741\s/);
    assert.match(text.stdout, /error\s+Refund pending/);
    assert.match(text.stdout, /version\s+3\.12\.0/);
    assert.match(text.stdout, /Links:\nto\s+id\s+why\n[- ]+\naccount\s+7741\s+via=account/);
    const missing = await cli('show', '999999');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /404: no ticket with that id/);
  });

  it('exits 2 on a bad file and imports nothing', async () => {
    const before = (await listed()).length;
    const file = join(work, 'broken.csv');
    writeFileSync(file, 'id,title,body\nB-1,Fine,ok\nB-2,,"no title here"\n');
    const r = await cli('import', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.csv: row 2 \(line 3\): missing required field "title"/);
    assert.match(r.stderr, /Nothing was imported/);
    const nofile = await cli('import', join(work, 'nope.csv'));
    assert.equal(nofile.code, 2);
    assert.match(nofile.stderr, /cannot read .*nope\.csv: ENOENT/);
    const badFormat = await cli('import', file, '--format', 'excel');
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /Allowed choices are auto, generic-csv/);
    assert.equal((await listed()).length, before);
  });

  it('lists with filters and exits 3 when no server answers', async () => {
    const out = await cli('list', '--status', 'closed');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /zendesk\s+35440\s+closed/);
    assert.match(out.stdout, /1 tickets/);
    const byEmail = JSON.parse((await cli('list', '--email', 'C7@example.com', '--json')).stdout).tickets;
    assert.deepEqual(
      byEmail.map((t: { externalId: string }) => t.externalId),
      ['C-7'],
    );
    const down = await runCli([
      'tickets',
      'import',
      join(FIXTURES, 'zendesk', 'tickets.export.json'),
      '--server',
      'http://127.0.0.1:9',
    ]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /could not reach Orrery/);
  });
});
