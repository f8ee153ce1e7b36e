// `orrery investigate` and `orrery triage` as a user runs them, against a real `orrery up`:
// a ticket investigated and printed as Markdown, re-run with what changed, shown as JSON;
// the triage queue printed as a table; bad ids exit 2, unknown ones exit with the server's 404.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

describe('orrery investigate and orrery triage', () => {
  let server: ServerProcess;
  let dataDir: string;
  let ticketId: number;
  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
    for (const [id, title] of [
      ['T-1', 'Checkout fails with PaymentDeclinedError'],
      ['T-2', 'PaymentDeclinedError when I check out'],
    ]) {
      const res = await fetch(`${server.apiUrl}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'helpdesk', id, title, body: `${title}, on the payment page.` }),
      });
      assert.equal(res.status, 200);
      ticketId ??= ((await res.json()) as { tickets: Array<{ id: number }> }).tickets[0]!.id;
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl]);

  it('investigates a ticket: Markdown with findings, next steps and gaps; a re-run says what changed', async () => {
    const r = await cli('investigate', 'ticket', String(ticketId));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^# Investigation of ticket #${ticketId}`));
    assert.match(r.stdout, /## Next steps\n\n- ask the customer/);
    assert.match(r.stdout, /### F1 · 1 related ticket, 1 likely duplicate/);
    assert.match(r.stdout, /## Not covered/);
    const id = Number(/investigation (\d+) \(orrery investigate show/.exec(r.stdout)![1]);
    const again = await cli('investigate', 'ticket', String(ticketId));
    assert.match(again.stdout, new RegExp(`Since run ${id}: nothing changed`));
    const shown = await cli('investigate', 'show', String(id), '--json');
    assert.equal(JSON.parse(shown.stdout).result.subject.ticketId, ticketId);
  });

  it('refuses a bad id with exit 2 and an unknown one with the 404', async () => {
    const bad = await cli('investigate', 'ticket', 'abc');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ticket id "abc" must be a positive number/);
    const unknown = await cli('investigate', 'problem', '999');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no problem with id 999/);
  });

  it('prints the triage queue: ticket-only problems with their duplicates merged', async () => {
    const r = await cli('triage', '--since', '2h');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rank\s+id\s+priority\s+title/);
    assert.match(r.stdout, /PaymentDeclinedError/);
  });
});
