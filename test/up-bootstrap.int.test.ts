// `orrery up` bound to a wildcard: the banner says so and gives a usable URL; on a fresh store
// it mints an admin token named "bootstrap" and prints it once; tokens made through the CLI
// carry the role asked for (viewer by default, admin offline), `token list` shows it, and a
// token short of a route's role exits 4 naming the role. Creates and revokes are audited.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { openStore } from '../src/store/index.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

async function waitForText(file: string, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = readFileSync(file, 'utf8');
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`${file} never matched ${re}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('orrery up on 0.0.0.0', () => {
  it('shows the wildcard bind, mints an admin bootstrap token once, and enforces roles', async () => {
    const dataDir = await freshDataDir();
    const server = await ServerProcess.start({ dataDir, logDir: dataDir, args: ['--host', '0.0.0.0'] });
    try {
      const out = await waitForText(server.stdoutLog, /orr_[\w-]{43}/);
      const apiPort = new URL(server.apiUrl).port;
      const otlpPort = new URL(server.otlpUrl).port;
      assert.match(
        out,
        new RegExp(
          `API +http://0\\.0\\.0\\.0:${apiPort} +\\(all interfaces; reach it as http://${hostname()}:${apiPort}`,
        ),
      );
      assert.match(out, new RegExp(`OTLP/HTTP +http://0\\.0\\.0\\.0:${otlpPort} +\\(all interfaces`));
      assert.ok(!out.includes('127.0.0.1'), `the banner names loopback for a wildcard bind:\n${out}`);
      assert.match(out, new RegExp(`OTEL_EXPORTER_OTLP_ENDPOINT=http://${hostname()}:${otlpPort}`));
      assert.match(out, /an admin token named "bootstrap" was created/);
      const bootstrap = /orr_[\w-]{43}/.exec(out)![0];
      const cli = (args: string[], token: string) =>
        runCli([...args, '--server', server.apiUrl], { ORRERY_TOKEN: token });

      const list = await cli(['token', 'list'], bootstrap);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /id\s+name\s+role\s+prefix/);
      assert.match(list.stdout, /bootstrap\s+admin\s+orr_/);

      const ingest = await cli(['token', 'create', '--name', 'shipper', '--role', 'ingest'], bootstrap);
      assert.equal(ingest.code, 0, ingest.stderr);
      assert.match(ingest.stdout, /Created token "shipper" \(id \d+, role ingest\)/);
      const viewer = await cli(['token', 'create', '--name', 'reader'], bootstrap);
      assert.match(viewer.stdout, /role viewer/, 'viewer unless a role is given');
      const bad = await cli(['token', 'create', '--name', 'x', '--role', 'root'], bootstrap);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /Allowed choices are ingest, viewer, operator, approver, admin/);

      const ingestToken = /orr_[\w-]{43}/.exec(ingest.stdout)![0];
      const refused = await cli(['tickets', 'list'], ingestToken);
      assert.equal(refused.code, 4, refused.stderr);
      assert.match(refused.stderr, /403: this needs a token with the "viewer" role/);
      const viewerToken = /orr_[\w-]{43}/.exec(viewer.stdout)![0];
      const noTokens = await cli(['token', 'create', '--name', 'y'], viewerToken);
      assert.equal(noTokens.code, 4);
      assert.match(noTokens.stderr, /"admin" role/);
      assert.equal((await cli(['token', 'revoke', 'reader'], bootstrap)).code, 0);
    } finally {
      await server.stop();
    }
    const store = await openStore({ dataDir, retentionDays: 7 });
    try {
      const events = (await store.listAudit()).reverse();
      const tokens = await store.listTokens();
      const id = (name: string) => String(tokens.find((t) => t.name === name)!.id);
      const bootstrapActor = `token:${id('bootstrap')}`;
      assert.deepEqual(
        events.map((e) => [e.actor, e.action, e.subjectId]),
        [
          ['bootstrap', 'token.create', id('bootstrap')],
          [bootstrapActor, 'token.create', id('shipper')],
          [bootstrapActor, 'token.create', id('reader')],
          [bootstrapActor, 'token.revoke', id('reader')],
        ],
      );
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('mints no bootstrap token when one exists; an offline token is an admin, audited as cli-offline', async () => {
    const dataDir = await freshDataDir();
    try {
      const created = await runCli(['token', 'create', '--name', 'root', '--offline', '--data-dir', dataDir]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /role admin/);
      const server = await ServerProcess.start({ dataDir, logDir: dataDir, args: ['--host', '0.0.0.0'] });
      try {
        await waitForText(server.stdoutLog, /Press Ctrl-C/);
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(!readFileSync(server.stdoutLog, 'utf8').includes('bootstrap'));
      } finally {
        await server.stop();
      }
      const store = await openStore({ dataDir, retentionDays: 7 });
      try {
        const [event] = await store.listAudit();
        assert.equal(event!.actor, 'cli-offline');
        assert.deepEqual(event!.detail, { name: 'root', role: 'admin' });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('shows the loopback address it is bound to', async () => {
    const dataDir = await freshDataDir();
    const server = await ServerProcess.start({ dataDir, logDir: dataDir });
    try {
      const out = await waitForText(server.stdoutLog, /Press Ctrl-C/);
      assert.match(out, new RegExp(`API +${server.apiUrl.replace(/\./g, '\\.')}\\n`));
      assert.ok(!out.includes('all interfaces'));
      assert.ok(!out.includes('bootstrap'), 'no token is needed on loopback');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
