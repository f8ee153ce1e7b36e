// Two Orrery nodes sharing one PostgreSQL: an approved proposal asked to run on both at once runs
// once. The claim — status approved → executing, in one conditional UPDATE — is what decides,
// so the receiver behind the webhook executor sees each proposal exactly once.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Proposal } from '../src/model/index.js';
import { freshPostgresUrl } from './helpers/stores.js';

async function post<T>(
  base: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('two nodes on one PostgreSQL', () => {
  it('run each approved proposal once, whichever node is asked', async () => {
    const db = await freshPostgresUrl();
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'orrery-node-')));
    const seen: string[] = [];
    const hook = http.createServer((req, res) => {
      seen.push(String(req.headers['idempotency-key']));
      // Slow enough that both nodes' requests overlap the run.
      setTimeout(() => {
        res.writeHead(204);
        res.end();
      }, 300);
      req.resume();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const env = (node: string) => ({
      ORRERY_AUDIT_KEY: 'k'.repeat(40),
      ORRERY_NODE_ID: node,
      ORRERY_EXECUTORS: 'webhook',
      ORRERY_WEBHOOK_EXECUTOR_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      ORRERY_WEBHOOK_EXECUTOR_SECRET: 'two-nodes-secret-123',
    });
    const nodes = await Promise.all(
      dirs.map((d, i) => ServerProcess.start({ dataDir: d, logDir: d, databaseUrl: db.url, env: env(`node-${i}`) })),
    );
    try {
      const [a, b] = nodes as [ServerProcess, ServerProcess];
      const tok = await post<{ token: string }>(a.apiUrl, '/api/tokens', { name: 'alice', role: 'approver' });
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const made = await post<{ proposals: Proposal[] }>(a.apiUrl, '/api/proposals', {
          from: 'manual',
          action: { kind: 'config', service: `svc-${i}`, name: 'POOL', value: '4' },
          reason: 'two nodes',
          simulate: false,
        });
        const id = made.json.proposals[0]!.id;
        // Approved through the other node: the state is the database's, not a node's.
        const ok = await post<{ proposal: Proposal }>(b.apiUrl, `/api/proposals/${id}/approve`, {}, tok.json.token);
        assert.equal(ok.json.proposal.status, 'approved');
        ids.push(id);
      }
      const runs = await Promise.all(
        ids.flatMap((id) =>
          [a, b].map((n) =>
            post<{ proposal?: Proposal; message?: string }>(n.apiUrl, `/api/proposals/${id}/execute`, {}),
          ),
        ),
      );
      for (let i = 0; i < ids.length; i++) {
        const pair = [runs[2 * i]!, runs[2 * i + 1]!];
        assert.deepEqual(pair.map((r) => r.status).sort(), [200, 409], `proposal ${ids[i]}: one node ran it`);
        const lost = pair.find((r) => r.status === 409)!;
        assert.match(lost.json.message ?? '', /executing|executed/);
        const won = pair.find((r) => r.status === 200)!;
        assert.equal(won.json.proposal?.status, 'executed');
      }
      assert.deepEqual(
        [...seen].sort(),
        ids.map((id) => `orrery-proposal-${id}`).sort(),
        'each proposal reached the executor once',
      );
      const ran = runs.filter((r) => r.status === 200).map((r) => r.json.proposal!.execution!.node);
      assert.ok(ran.every((n) => n === 'node-0' || n === 'node-1'));
      const verify = await a.getJson<{ verification: { ok: boolean } }>('/api/audit/verify');
      assert.equal(verify.verification.ok, true);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await new Promise((r) => hook.close(r));
      await db.cleanup();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
