// `orrery propose` and `orrery proposals` against a running server with the webhook executor:
// propose by hand, list, show with the tier rules, approve as an approver (a viewer's approval
// exits 4), execute once, and the usage errors (exit 2).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

describe('orrery propose / proposals', () => {
  it('proposes, shows, approves as an approver and executes once', async () => {
    const dataDir = await freshDataDir();
    let hits = 0;
    const hook = http.createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(204);
      res.end();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const s = await ServerProcess.start({
      dataDir,
      logDir: dataDir,
      env: {
        ORRERY_EXECUTORS: 'webhook',
        ORRERY_WEBHOOK_EXECUTOR_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
        ORRERY_WEBHOOK_EXECUTOR_SECRET: 'cli-test-secret-12345',
      },
    });
    const cli = (args: string[], token?: string) => runCli(args, { ORRERY_SERVER: s.apiUrl, ORRERY_TOKEN: token });
    try {
      const tokenOf = async (name: string, role: string) => {
        const r = await cli(['token', 'create', '--name', name, '--role', role]);
        assert.equal(r.code, 0, r.stderr);
        return /orr_[A-Za-z0-9_-]+/.exec(r.stdout)![0];
      };
      const alice = await tokenOf('alice', 'approver');
      const viewer = await tokenOf('vic', 'viewer');
      const made = await cli(['propose', 'restart', 'cart', '--reason', 'workers stuck', '--no-simulate']);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /# Proposal 1: restart cart/);
      assert.match(made.stdout, /tier rules:/);
      assert.match(made.stdout, /proposal 1: medium risk, needs 1 approval/);
      const noReason = await cli(['propose', 'restart', 'cart']);
      assert.equal(noReason.code, 2);
      assert.match(noReason.stderr, /--reason is required/);
      const badTtl = await cli(['propose', 'restart', 'cart', '--reason', 'x', '--expires', 'soon']);
      assert.equal(badTtl.code, 2);
      const list = await cli(['proposals', 'list']);
      assert.match(list.stdout, /1 +proposed +medium +0\/1 +restart cart +webhook/);
      const refused = await cli(['proposals', 'approve', '1'], viewer);
      assert.equal(refused.code, 4, refused.stderr);
      assert.match(refused.stderr, /"approver" role/);
      const early = await cli(['proposals', 'execute', '1']);
      assert.equal(early.code, 2);
      assert.match(early.stderr, /not approved/);
      assert.equal(hits, 0);
      const ok = await cli(['proposals', 'approve', '1', '--comment', 'go'], alice);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /proposal 1 is approved: 1 of 1 approvals/);
      const run = await cli(['proposals', 'execute', '1']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /\*\*executed\*\*/);
      assert.equal(hits, 1);
      const shown = await cli(['proposals', 'show', '1', '--format', 'json']);
      assert.equal(JSON.parse(shown.stdout).status, 'executed');
      assert.equal((await cli(['proposals', 'execute', '1'])).code, 2);
      assert.equal(hits, 1);
    } finally {
      await s.stop();
      await new Promise((r) => hook.close(r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
