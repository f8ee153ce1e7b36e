// The CLI as a user runs it: help, exit codes, errors that say what to do, and tokens.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

describe('orrery CLI', () => {
  it('teaches with --help and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Start here:/);
    const q = await runCli(['query', '--help']);
    assert.match(q.stdout, /orrery query logs --service cart/);
  });

  it('exits 2 on usage errors and bad settings, naming them', async () => {
    const bogus = await runCli(['frobnicate']);
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /unknown command 'frobnicate'/);
    const sub = await runCli(['query', 'logs', '--bogus']);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /unknown option '--bogus'/);
    const missing = await runCli(['token', 'create']);
    assert.equal(missing.code, 2);
    const badName = await runCli([
      'token',
      'create',
      '--name',
      'has space',
      '--offline',
      '--data-dir',
      '/nonexistent/x',
    ]);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /token name "has space": use letters/);
    const port = await runCli(['up', '--port', 'http']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port:/);
    const env = await runCli(['up'], { ORRERY_RETENTION: 'forever' });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /ORRERY_RETENTION: "forever" is not a duration/);
  });

  it('exits 3 with a hint when no server answers', async () => {
    const r = await runCli(['status', '--server', 'http://127.0.0.1:9']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /could not reach Orrery at http:\/\/127\.0\.0\.1:9/);
    assert.match(r.stderr, /Is `orrery up` running\?/);
    // A subcommand's own --version reaches it (the program's version flag is -V).
    const d = await runCli([
      'deploy',
      'record',
      '--service',
      'cart',
      '--version',
      '1.4.0',
      '--server',
      'http://127.0.0.1:9',
    ]);
    assert.equal(d.code, 3, d.stdout);
    const v = await runCli(['--version']);
    assert.equal(v.stdout.trim(), '0.1.0');
  });

  it('bootstraps a token offline, then needs it when auth is required (exit 4 without)', async () => {
    const dataDir = await freshDataDir();
    try {
      const created = await runCli(['token', 'create', '--name', 'admin', '--offline', '--data-dir', dataDir]);
      assert.equal(created.code, 0, created.stderr);
      const token = /orr_[\w-]+/.exec(created.stdout)?.[0];
      assert.ok(token);
      const server = await ServerProcess.start({ dataDir, logDir: dataDir, args: ['--auth', 'required'] });
      try {
        // A second server on the same data directory is refused with a clear message.
        const second = await runCli([
          'up',
          '--data-dir',
          dataDir,
          '--port',
          '0',
          '--otlp-port',
          '0',
          '--otlp-grpc-port',
          '0',
        ]);
        assert.equal(second.code, 2);
        assert.match(second.stderr, /in use by another Orrery process/);

        const anon = await runCli(['status', '--server', server.apiUrl]);
        assert.equal(anon.code, 4);
        assert.match(anon.stderr, /authentication required[\s\S]*ORRERY_TOKEN/);
        const ok = await runCli(['status', '--server', server.apiUrl], { ORRERY_TOKEN: token });
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /store: pglite/);
        assert.match(ok.stdout, /log_record\s+0/);

        const list = await runCli(['token', 'list', '--server', server.apiUrl], { ORRERY_TOKEN: token });
        assert.match(list.stdout, /admin\s+orr_/);
        assert.ok(!list.stdout.includes(token));
        const bad = await runCli(['query', 'logs', '--server', server.apiUrl, '--since', 'yesterday'], {
          ORRERY_TOKEN: token,
        });
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /since: "yesterday" is not a time/);
        const revoke = await runCli(['token', 'revoke', 'admin', '--server', server.apiUrl], { ORRERY_TOKEN: token });
        assert.equal(revoke.code, 0, revoke.stderr);
        const after = await runCli(['status', '--server', server.apiUrl], { ORRERY_TOKEN: token });
        assert.equal(after.code, 4);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('mints a one-time bootstrap token when auth is required and none exists', async () => {
    const dataDir = await freshDataDir();
    const server = await ServerProcess.start({ dataDir, logDir: dataDir, args: ['--auth', 'required'] });
    try {
      const out = readFileSync(server.stdoutLog, 'utf8');
      assert.match(out, /an admin token named "bootstrap" was created/);
      const token = /orr_[\w-]+/.exec(out)?.[0];
      const ok = await runCli(['token', 'create', '--name', 'ops', '--server', server.apiUrl], { ORRERY_TOKEN: token });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Created token "ops"/);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
