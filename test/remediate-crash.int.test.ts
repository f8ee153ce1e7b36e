// Crash safety of executions: `orrery up` is killed with SIGKILL while an approved proposal is
// running on its executor. After the restart the execution is neither lost nor run twice: the
// GitOps executor's run is finished exactly once (the branch and its push are not made again, the
// pull request is opened once), and the webhook executor's is marked needs-attention (it cannot
// tell whether the POST it sent took effect) without being sent again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Proposal } from '../src/model/index.js';
import { freshDataDir } from './helpers/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@x', ...args], { cwd, encoding: 'utf8' }).trim();
const CATALOG = readFileSync(new URL('./fixtures/remediate/catalog.yaml', import.meta.url), 'utf8');

/** An HTTP server whose first `hold` matching requests are held open (never answered), then answered. */
async function holdingServer(
  match: (req: http.IncomingMessage) => boolean,
  answer: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: string[]; held: number; close(): Promise<void> }> {
  const state = { url: '', seen: [] as string[], held: 0, close: async () => {} };
  let holdNext = 1;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (match(req)) {
        state.seen.push(body);
        if (holdNext > 0) {
          holdNext--;
          state.held++;
          return; // held: the process that sent it is killed while it waits
        }
      }
      answer(req, body, res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    });
  return state;
}

async function api<T>(
  s: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${s.apiUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** Proposes (anonymously, on loopback), approves with an approver token, starts the execution and returns once it is in flight. */
async function approvedAndRunning(s: ServerProcess, action: unknown, inFlight: () => boolean): Promise<number> {
  const tok = await api<{ token: string }>(s, 'POST', '/api/tokens', { name: 'alice', role: 'approver' });
  assert.equal(tok.status, 201);
  const made = await api<{ proposals: Proposal[] }>(s, 'POST', '/api/proposals', {
    from: 'manual',
    action,
    reason: 'crash test',
    simulate: false,
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const p = made.json.proposals[0]!;
  assert.ok(p.diff.executor, `planned on an executor: ${p.diff.target}`);
  const ok = await api<{ proposal: Proposal }>(s, 'POST', `/api/proposals/${p.id}/approve`, {}, tok.json.token);
  assert.equal(ok.json.proposal.status, 'approved');
  void fetch(`${s.apiUrl}/api/proposals/${p.id}/execute`, { method: 'POST' }).catch(() => {});
  for (let i = 0; i < 200 && !inFlight(); i++) await sleep(50);
  assert.ok(inFlight(), 'the execution reached its executor');
  const during = await api<{ proposal: Proposal }>(s, 'GET', `/api/proposals/${p.id}`);
  assert.equal(during.json.proposal.status, 'executing', 'claimed in the database before it ran');
  return p.id;
}

async function settled(s: ServerProcess, id: number): Promise<Proposal> {
  for (let i = 0; i < 200; i++) {
    const p = (await api<{ proposal: Proposal }>(s, 'GET', `/api/proposals/${id}`)).json.proposal;
    if (p.status !== 'executing') return p;
    await sleep(100);
  }
  throw new Error(`proposal ${id} is still executing`);
}

describe('executions across SIGKILL', () => {
  it('GitOps: the run cut short while opening the pull request is finished exactly once after the restart', async () => {
    const dataDir = await freshDataDir();
    const root = mkdtempSync(join(tmpdir(), 'orrery-crash-'));
    const repo = join(root, 'repo');
    const remote = join(root, 'remote.git');
    mkdirSync(join(repo, 'deploy', 'k8s'), { recursive: true });
    git(root, 'init', '--quiet', '--bare', remote);
    git(repo, 'init', '--quiet', '-b', 'main');
    writeFileSync(join(repo, 'deploy', 'k8s', 'catalog.yaml'), CATALOG);
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'catalog');
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'push', '--quiet', 'origin', 'main');
    const prs: string[] = [];
    const gh = await holdingServer(
      (req) => req.method === 'POST',
      (req, body, res) => {
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        if (req.method === 'POST') {
          prs.push(JSON.parse(body).head);
          return res.end(
            JSON.stringify({ number: prs.length, html_url: `https://gh.example/pull/${prs.length}`, state: 'open' }),
          );
        }
        const head = new URL(req.url ?? '/', 'http://x').searchParams.get('head')?.split(':')[1];
        res.end(
          JSON.stringify(
            prs.flatMap((h, i) =>
              h === head ? [{ number: i + 1, html_url: `https://gh.example/pull/${i + 1}`, state: 'open' }] : [],
            ),
          ),
        );
      },
    );
    const env = {
      ORRERY_EXECUTORS: 'gitops',
      ORRERY_GITOPS_REPO: repo,
      ORRERY_GITOPS_REMOTE: 'origin',
      ORRERY_GITHUB_API_URL: gh.url,
      ORRERY_GITHUB_REPO: 'shop/platform',
      ORRERY_GITHUB_TOKEN: 'gh-token',
    };
    const start = () => ServerProcess.start({ dataDir, logDir: dataDir, env });
    let s = await start();
    try {
      const id = await approvedAndRunning(s, { kind: 'scale', service: 'catalog', replicas: 3 }, () => gh.held === 1);
      const branch = `orrery/proposal-${id}`;
      assert.match(git(remote, 'log', '--format=%s', branch), /scale catalog/, 'the branch was pushed before the kill');
      await s.kill9();
      s = await start();
      const p = await settled(s, id);
      assert.equal(p.status, 'executed', JSON.stringify(p.execution));
      assert.match(p.execution?.recovery ?? '', /recovered after a crash/);
      assert.deepEqual(prs, [branch], 'one pull request');
      assert.equal(git(remote, 'rev-list', '--count', `main..${branch}`), '1', 'one commit on the branch');
      assert.equal(gh.seen.length, 2, 'the POST cut short, then the one that finished it');
      const again = await api<{ message: string }>(s, 'POST', `/api/proposals/${id}/execute`);
      assert.equal(again.status, 409);
      const audit = await api<{
        entries: Array<{ action: string; subjectKind: string | null; subjectId: string | null }>;
      }>(s, 'GET', '/api/audit?limit=50');
      const mine = audit.json.entries
        .filter((e) => e.subjectKind === 'proposal' && e.subjectId === String(id))
        .map((e) => e.action)
        .reverse();
      assert.deepEqual(mine, [
        'proposal.create',
        'proposal.approve',
        'proposal.execute.start',
        'proposal.recover',
        'proposal.execute',
      ]);
    } finally {
      await s.stop();
      await gh.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('webhook: the run cut short is marked needs-attention and is not sent again', async () => {
    const dataDir = await freshDataDir();
    const hook = await holdingServer(
      () => true,
      (_req, _body, res) => {
        res.writeHead(200);
        res.end();
      },
    );
    const env = {
      ORRERY_EXECUTORS: 'webhook',
      ORRERY_WEBHOOK_EXECUTOR_URL: `${hook.url}/hook`,
      ORRERY_WEBHOOK_EXECUTOR_SECRET: 'crash-test-secret-123',
    };
    const start = () => ServerProcess.start({ dataDir, logDir: dataDir, env });
    let s = await start();
    try {
      const id = await approvedAndRunning(
        s,
        { kind: 'flag', service: 'search', flag: 'new-ranker', to: 'off' },
        () => hook.held === 1,
      );
      await s.kill9();
      s = await start();
      const p = await settled(s, id);
      assert.equal(p.status, 'needs-attention');
      assert.match(p.execution?.recovery ?? '', /a person must check/);
      await sleep(500);
      assert.equal(hook.seen.length, 1, 'sent once, never again');
      assert.equal((await api(s, 'POST', `/api/proposals/${id}/execute`)).status, 409);
      assert.equal(hook.seen.length, 1);
    } finally {
      await s.stop();
      await hook.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
