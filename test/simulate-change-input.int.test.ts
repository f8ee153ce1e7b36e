// Bad input to the change simulation gets a clear error with the right status, through the
// API (400 for a malformed or unknown range, 404 for an unknown repository or deploy) and the
// CLI (usage errors exit 2 before any request; the API's 4xx are mapped to exit 2 with its
// message); and the happy path answers JSON and Markdown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { ALICE, commit, git } from './fixtures/repo/build.js';
import { runCli } from './helpers/cli.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { freshDataDir } from './helpers/stores.js';

function smallRepo(): { dir: string; head: string; base: string } {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-simchange-input-'));
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(
    join(dir, 'app.js'),
    "app.get('/x', (req, res) => res.send(total(1)));\nfunction total(n) {\n  return n;\n}\n",
  );
  git(dir, ['add', '-A']);
  commit(dir, ALICE, '2026-11-01T10:00:00Z', ['-m', 'one']);
  const base = git(dir, ['rev-parse', 'HEAD']);
  writeFileSync(
    join(dir, 'app.js'),
    "app.get('/x', (req, res) => res.send(total(1)));\nfunction total(n) {\n  return n + 0;\n}\n",
  );
  git(dir, ['add', '-A']);
  commit(dir, ALICE, '2026-11-01T11:00:00Z', ['-m', 'two']);
  return { dir, base, head: git(dir, ['rev-parse', 'HEAD']) };
}

describe('POST /api/simulations/change: bad input', () => {
  let o: InProcess;
  let repo: ReturnType<typeof smallRepo>;
  const post = (payload: unknown, url = '/api/simulations/change') =>
    o.server.api.inject({ method: 'POST', url, payload: payload as never });

  before(async () => {
    o = await inProcessOrrery();
    repo = smallRepo();
  });
  after(async () => {
    await o.cleanup();
    rmSync(repo.dir, { recursive: true, force: true });
  });

  it('with no repository indexed: 404 that says how to add one', async () => {
    const res = await post({ range: 'HEAD~1..HEAD' });
    assert.equal(res.statusCode, 404, res.body);
    assert.match(res.json().message, /no repository is indexed: add one with `orrery repo add <path>`/);
  });

  it('malformed bodies: 400 naming the problem', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /give either range \(base\.\.head\) or deploy/],
      [{ range: 'main' }, /range: must be <base>\.\.<head>/],
      [{ range: 'a...b' }, /range: must be <base>\.\.<head>/],
      [{ range: '-x..HEAD' }, /range: must be <base>\.\.<head>/],
      [{ range: 'a..b..c' }, /range: must be <base>\.\.<head>/],
      [{ range: 'HEAD~1..HEAD', deploy: 1 }, /not both/],
      [{ deploy: 1, repository: 'x' }, /repository: a deploy names its repository/],
      [{ deploy: 0 }, /deploy/],
      [{ range: 'HEAD~1..HEAD', extra: 1 }, /extra|unrecognized/i],
      [{ range: 'HEAD~1..HEAD', since: 'yesterday-ish' }, /since/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.match(res.json().message, message, JSON.stringify(body));
    }
  });

  it('unknown repository, revision or deploy: 404 or 400 with what was not found', async () => {
    const add = await o.server.api.inject({
      method: 'POST',
      url: '/api/repos',
      payload: { path: repo.dir, name: 'small' },
    });
    assert.equal(add.statusCode, 201, add.body);
    let res = await post({ range: 'HEAD~1..HEAD', repository: 'nope' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /no repository "nope"; see `orrery repo list`/);
    res = await post({ range: 'nosuch..HEAD' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /no commit "nosuch"/);
    res = await post({ range: `${repo.base}..v9.9.9` });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /no commit "v9\.9\.9"/);
    res = await post({ deploy: 999 });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /no deploy 999; see `orrery deploy list`/);
    const noCommit = await o.server.api.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'small', version: '1.0.0' },
    });
    assert.equal(noCommit.statusCode, 201, noCommit.body);
    res = await post({ deploy: noCommit.json().deploy.id });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /has no commit: record it with --commit, or give a range/);
    const elsewhere = await o.server.api.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'other', version: '1.0.1', commit: 'abcdef1234567' },
    });
    res = await post({ deploy: elsewhere.json().deploy.id });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /abcdef1234567/);
    await o.server.api.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'other', version: '1.0.2', commit: repo.head },
    });
    const after = (await o.server.api.inject({ method: 'GET', url: '/api/deploys?service=other' })).json().deploys[0];
    res = await post({ deploy: after.id });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.json().message,
      /the previous other deploy's commit abcdef1234567, is not in repository small: give a range instead/,
    );
  });

  it('a range and a deploy answer the blast radius, as JSON or Markdown, each run stored', async () => {
    let res = await post({ range: 'HEAD~1..HEAD' });
    assert.equal(res.statusCode, 201, res.body);
    const sim = res.json().simulation;
    assert.equal(sim.kind, 'change');
    assert.equal(sim.result.kind, 'change');
    assert.deepEqual(sim.request, {
      kind: 'change',
      range: 'HEAD~1..HEAD',
      repository: null,
      deploy: null,
      since: null,
    });
    // Kept like the other simulations: read back by id, as Markdown, and listed with its headline.
    const stored = await o.server.api.inject({ method: 'GET', url: `/api/simulations/${sim.id}` });
    assert.deepEqual(stored.json().simulation.result.changed, sim.result.changed);
    const md = await o.server.api.inject({ method: 'GET', url: `/api/simulations/${sim.id}?format=markdown` });
    assert.match(md.body, /^# Blast radius of small /);
    const list = await o.server.api.inject({ method: 'GET', url: '/api/simulations?kind=change' });
    assert.deepEqual(list.json().simulations[0].headline, {
      kind: 'change',
      entryEndpoints: sim.result.summary.entryEndpoints,
      runtimeConfirmed: sim.result.summary.runtimeConfirmed,
      staticOnly: sim.result.summary.staticOnly,
      services: sim.result.summary.services,
    });
    // The simulations API takes the same body as kind `change`; a bad one is a 400 naming the field.
    const viaKind = await post({ kind: 'change', range: 'HEAD~1..HEAD' }, '/api/simulations');
    assert.equal(viaKind.statusCode, 201, viaKind.body);
    assert.deepEqual(viaKind.json().simulation.result.changed, sim.result.changed);
    const badKind = await post({ kind: 'change', range: 'main' }, '/api/simulations');
    assert.equal(badKind.statusCode, 400);
    assert.match(badKind.json().message, /range must be <base>\.\.<head>/);
    assert.equal(sim.algorithm, 'sim-change@1');
    assert.deepEqual(
      sim.result.changed.map((c: { name: string }) => c.name),
      ['total'],
    );
    assert.deepEqual(
      sim.result.endpoints.map((e: { endpoint: string }) => e.endpoint),
      ['/x'],
    );
    res = await post({ range: 'HEAD~1..HEAD' }, '/api/simulations/change?format=markdown');
    assert.equal(res.statusCode, 201);
    assert.match(res.headers['content-type'] as string, /text\/markdown/);
    assert.match(res.body, /^# Blast radius of small /);
    const d = await o.server.api.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'small', version: '1.1.0', commit: repo.head },
    });
    res = await post({ deploy: d.json().deploy.id });
    assert.equal(res.statusCode, 201, res.body);
    const r = res.json().simulation.result;
    assert.deepEqual(r.deploy, { id: d.json().deploy.id, service: 'small', version: '1.1.0' });
    assert.equal(r.base, repo.base, "no earlier deploy with a commit: the commit's parent is the base");
  });
});

describe('orrery simulate change (CLI)', () => {
  let server: ServerProcess;
  let dataDir: string;
  let repo: ReturnType<typeof smallRepo>;

  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
    repo = smallRepo();
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli(['simulate', 'change', ...args, '--server', server.apiUrl]);

  it('usage errors exit 2 with a message, before asking the server', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give a range <base>\.\.<head> or --deploy <id>/],
      [['main'], /"main" is not a range: write <base>\.\.<head>/],
      [['a...b'], /is not a range/],
      [['HEAD~1..HEAD', '--deploy', '3'], /one of them/],
      [['--deploy', 'abc'], /--deploy must be a deploy id/],
      [['--deploy', '3', '--repo', 'x'], /--repo is for a range/],
      [['HEAD~1..HEAD', '--format', 'xml'], /--format must be md or json/],
      [['HEAD~1..HEAD', '--since', 'soon'], /--since/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['simulate', 'change', ...args, '--server', 'http://127.0.0.1:9']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it("the API's 404 and 400 become exit 2 with the server's words", async () => {
    let r = await cli('HEAD~1..HEAD');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /404: no repository is indexed/);
    const add = await fetch(`${server.apiUrl}/api/repos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: repo.dir, name: 'small' }),
    });
    assert.equal(add.status, 201);
    r = await cli('HEAD~1..HEAD', '--repo', 'nope');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /404: no repository "nope"/);
    r = await cli('nosuch..HEAD');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /400: no commit "nosuch"/);
    r = await cli('--deploy', '42');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /404: no deploy 42/);
  });

  it('prints Markdown by default and JSON with --format json', async () => {
    let r = await cli(`${repo.base}..${repo.head}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Blast radius of small /);
    assert.match(r.stdout, /\| app\.js \| total \| modified \|/);
    r = await cli('HEAD~1..HEAD', '--repo', 'small', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const sim = JSON.parse(r.stdout);
    assert.equal(sim.result.endpoints[0].endpoint, '/x');
  });

  it('--help teaches the command', async () => {
    const r = await runCli(['simulate', 'change', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /blast radius/);
    assert.match(r.stdout, /--deploy <id>/);
    assert.match(r.stdout, /orrery simulate change cart\/v1\.3\.1\.\.cart\/v1\.4\.0 --repo shop/);
  });
});
