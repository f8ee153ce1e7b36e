// The executors on real parts: the GitOps executor on a real git repository with a bare remote and
// a local HTTP server speaking GitHub's pull-request REST shapes, the webhook executor against a
// local receiver — each through the shared conformance suite, then the GitOps dry run's exact diff.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { GitOpsExecutor, WebhookExecutor, editManifests, idempotencyKeyOf } from '../src/act/index.js';
import type { ProposalAction } from '../src/model/index.js';
import { type Harness, executorConformance } from './act/conformance.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@x', ...args], { cwd, encoding: 'utf8' }).trim();

const CATALOG = readFileSync(new URL('./fixtures/remediate/catalog.yaml', import.meta.url), 'utf8');
const TFVARS = `# prod sizing\ncart_version = "2.0.0"\ncart_replicas = 3 # peak\n`;

/** A GitHub-shaped server: GET and POST /repos/:owner/:repo/pulls, each PR kept. */
async function fakeGitHub(): Promise<{
  url: string;
  prs: Array<{ head: string; base: string; title: string }>;
  close(): Promise<void>;
}> {
  const prs: Array<{ number: number; head: string; base: string; title: string }> = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
      const send = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.headers.authorization !== 'Bearer gh-token') return send(401, { message: 'Bad credentials' });
      if (!m) return send(404, { message: 'Not Found' });
      const shape = (p: (typeof prs)[number]) => ({
        number: p.number,
        html_url: `https://github.example/${m[1]}/${m[2]}/pull/${p.number}`,
        state: 'open',
        head: { ref: p.head },
        base: { ref: p.base },
        title: p.title,
      });
      if (req.method === 'GET') {
        const head = url.searchParams.get('head')?.split(':')[1];
        return send(200, prs.filter((p) => head === undefined || p.head === head).map(shape));
      }
      const b = JSON.parse(body) as { head: string; base: string; title: string };
      if (prs.some((p) => p.head === b.head)) return send(422, { message: 'A pull request already exists' });
      const pr = { number: prs.length + 1, ...b };
      prs.push(pr);
      return send(201, shape(pr));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    prs,
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

function gitopsRepo(): { dir: string; remote: string; suspect: string } {
  const root = mkdtempSync(join(tmpdir(), 'orrery-gitops-test-'));
  const dir = join(root, 'repo');
  const remote = join(root, 'remote.git');
  mkdirSync(dir);
  git(root, 'init', '--quiet', '--bare', remote);
  git(dir, 'init', '--quiet', '-b', 'main');
  const write = (p: string, t: string) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  };
  write('deploy/k8s/catalog.yaml', CATALOG);
  write('infra/prod.tfvars', TFVARS);
  write('services/catalog/src/pool.js', 'export const size = 1;\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'catalog 1.3.2');
  write('services/catalog/src/pool.js', 'export const size = 0;\n');
  git(dir, 'commit', '--quiet', '-am', 'catalog: pool of zero');
  const suspect = git(dir, 'rev-parse', 'HEAD');
  write('README.md', 'later\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'a later change');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '--quiet', 'origin', 'main');
  return { dir, remote, suspect };
}

const rollback: ProposalAction = {
  kind: 'rollback',
  service: 'catalog',
  environment: 'prod',
  fromVersion: '1.3.2',
  toVersion: '1.3.1',
  toDeployId: 3,
  toCommit: null,
};

executorConformance('gitops (real git, a bare remote, GitHub-shaped pull requests)', async () => {
  const repo = gitopsRepo();
  const gh = await fakeGitHub();
  const executor = new GitOpsExecutor({
    repoDir: repo.dir,
    remote: 'origin',
    github: { apiUrl: gh.url, repo: 'shop/platform', token: 'gh-token' },
  });
  const branches = () =>
    git(repo.remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/orrery/').split('\n').filter(Boolean).length;
  return {
    executor,
    actions: [
      rollback,
      { kind: 'scale', service: 'catalog', replicas: { from: 2, to: 3 }, hpaMin: { from: 2, to: 3 } },
      { kind: 'config', service: 'catalog', name: 'DB_POOL_SIZE', from: '1', to: '4' },
      { kind: 'restart', services: ['catalog'] },
      {
        kind: 'rollback',
        service: 'cart',
        environment: 'prod',
        fromVersion: '2.0.0',
        toVersion: '1.9.0',
        toDeployId: null,
        toCommit: null,
      },
      {
        kind: 'revert',
        repository: 'platform',
        sha: repo.suspect,
        subject: 'catalog: pool of zero',
        service: 'catalog',
      },
    ],
    unsupported: { kind: 'flag', service: 'catalog', flag: 'new-search', to: 'off' },
    stale: { kind: 'scale', service: 'catalog', replicas: { from: 5, to: 6 }, hpaMin: null },
    context: (a) => (a.kind === 'revert' ? { repositoryPath: repo.dir } : {}),
    async applied(_a, id) {
      const onRemote =
        git(repo.remote, 'for-each-ref', '--format=%(refname)', `refs/heads/orrery/proposal-${id}`) !== '';
      return onRemote && gh.prs.some((p) => p.head === `orrery/proposal-${id}`);
    },
    effects: async () => branches() + gh.prs.length,
    async close() {
      await gh.close();
      rmSync(dirname(repo.dir), { recursive: true, force: true });
    },
  } satisfies Harness;
});

executorConformance('webhook (a local receiver)', async () => {
  const got: Array<{ key: string; body: string }> = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const action = JSON.parse(body).action as ProposalAction;
      if ('service' in action && action.service === 'gone') {
        res.writeHead(409, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'no such service' }));
      }
      got.push({ key: String(req.headers['idempotency-key']), body });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/rollouts`;
  return {
    executor: new WebhookExecutor({ url, secret: 'conformance-secret-123' }),
    actions: [
      rollback,
      { kind: 'flag', service: 'search', flag: 'new-ranker', to: 'off' },
      { kind: 'restart', services: ['cart', 'catalog'] },
    ],
    unsupported: null,
    stale: { kind: 'config', service: 'gone', name: 'X', from: '1', to: '2' },
    applied: async (_a, id) => got.some((g) => g.key === idempotencyKeyOf(id)),
    effects: async () => got.length,
    close: () => new Promise((r) => srv.close(() => r())),
  } satisfies Harness;
});

describe('the GitOps dry run', () => {
  it('changes the values in place, in their own quoting, and nothing else', () => {
    const files = [{ path: 'deploy/k8s/catalog.yaml', text: CATALOG }];
    const r = editManifests(files, rollback, 7);
    assert.deepEqual(r.problems, []);
    const after = r.edits[0]!.after;
    const changed = after.split('\n').filter((l, i) => l !== CATALOG.split('\n')[i]);
    assert.deepEqual(changed, ['          image: registry.shop.example/catalog:1.3.1  # set by the deploy pipeline']);
    const env = editManifests(
      files,
      { kind: 'config', service: 'catalog', name: 'DB_POOL_SIZE', from: '1', to: '4' },
      7,
    );
    assert.match(env.edits[0]!.after, /- name: DB_POOL_SIZE\n {14}value: "4"/);
    const hpa = editManifests(
      files,
      { kind: 'scale', service: 'catalog', replicas: null, hpaMin: { from: 2, to: 9 } },
      7,
    );
    assert.match(hpa.problems.join(), /maxReplicas is 4, below the minimum 9/);
    const restart = editManifests(files, { kind: 'restart', services: ['catalog'] }, 7);
    assert.match(restart.edits[0]!.after, /orrery.dev\/restarted-by: proposal-7/);
    const untagged = editManifests([{ path: 'k.yaml', text: CATALOG.replace(':1.3.2', '') }], rollback, 7);
    assert.match(untagged.problems.join(), /not tagged with the running version 1.3.2/);
    assert.match(
      editManifests(files, { ...rollback, service: 'billing' }, 7).problems.join(),
      /no Kubernetes manifest or Terraform variable of billing/,
    );
  });

  it("shows the unified diff of the files it will commit, and leaves the clone's checkout alone", async () => {
    const repo = gitopsRepo();
    try {
      const ex = new GitOpsExecutor({ repoDir: repo.dir });
      const x = { proposalId: 3, title: 'roll back', idempotencyKey: idempotencyKeyOf(3) };
      const plan = await ex.plan(rollback, x);
      assert.match(plan.diff.patch, /^--- a\/deploy\/k8s\/catalog.yaml\n\+\+\+ b\/deploy\/k8s\/catalog.yaml/m);
      assert.match(plan.diff.patch, /^-\s+image: registry.shop.example\/catalog:1.3.2/m);
      assert.match(plan.diff.patch, /^\+\s+image: registry.shop.example\/catalog:1.3.1/m);
      assert.equal(plan.diff.patch.split('\n').filter((l) => /^[-+][^-+]/.test(l)).length, 2);
      const report = await ex.apply(rollback, x);
      assert.match(report.did[0]!, /committed [0-9a-f]{10} on branch orrery\/proposal-3/);
      assert.equal(git(repo.dir, 'status', '--porcelain'), '', 'the checkout is untouched');
      assert.equal(git(repo.dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
      assert.match(git(repo.dir, 'show', 'orrery/proposal-3:deploy/k8s/catalog.yaml'), /catalog:1.3.1/);
      assert.match(git(repo.dir, 'log', '-1', '--format=%B', 'orrery/proposal-3'), /Orrery-Proposal: 3/);
      assert.equal(git(repo.dir, 'worktree', 'list').split('\n').length, 1, 'no worktree left behind');
      const revert = await ex.plan(
        {
          kind: 'revert',
          repository: 'platform',
          sha: repo.suspect,
          subject: 'catalog: pool of zero',
          service: 'catalog',
        },
        { ...x, proposalId: 4, repositoryPath: repo.dir },
      );
      assert.match(revert.diff.patch, /-export const size = 0;\n\+export const size = 1;/);
    } finally {
      rmSync(dirname(repo.dir), { recursive: true, force: true });
    }
  });
});
