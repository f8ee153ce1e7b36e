// `orrery deploy …` and `orrery infra …` against a running `orrery up`: recording with an
// age for --at, listing, showing, importing a folder of manifests, and the usage errors
// (exit 2) for a bad time, a missing path and a broken manifest.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Deploy, InfraImportResult, InfraResource } from '../src/model/index.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

describe('orrery deploy and orrery infra', () => {
  let server: ServerProcess;
  let dataDir: string;
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl]);

  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // `--version=V`: the root program's own --version flag takes `--version V` (space) before
  // the subcommand sees it (src/cli/main.ts; reported to the lead).
  it('deploy record, list and show', async () => {
    const t0 = Date.now();
    const rec = await cli(
      'deploy',
      'record',
      '--service',
      'cart',
      '--version=1.4.0',
      '--commit',
      '9f8e7d6c',
      '--env',
      'prod',
      '--at',
      '15m',
    );
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /^Recorded deploy \d+: cart 1\.4\.0 \(prod\) at .*, commit 9f8e7d6c\n/);
    assert.match(rec.stdout, /note: no repository is indexed/);

    const again = await cli('deploy', 'record', '--service', 'cart', '--version=1.5.0', '--env', 'prod', '--json');
    assert.equal(again.code, 0, again.stderr);
    const d2 = JSON.parse(again.stdout).deploy as Deploy;
    assert.equal(d2.previousCommitSha, '9f8e7d6c');
    assert.equal(d2.source, 'cli');

    const list = await cli('deploy', 'list', '--service', 'cart', '--json');
    assert.equal(list.code, 0, list.stderr);
    const deploys = JSON.parse(list.stdout).deploys as Deploy[];
    assert.deepEqual(
      deploys.map((d) => d.version),
      ['1.5.0', '1.4.0'],
    );
    const at = Date.parse(deploys[1]!.deployedAt);
    assert.ok(Math.abs(at - (t0 - 15 * 60_000)) < 60_000, '--at 15m is 15 minutes ago');

    const text = await cli('deploy', 'list', '--env', 'prod');
    assert.match(text.stdout, /recorded +cli/);
    assert.match(text.stdout, /2 deploys/);

    const show = await cli('deploy', 'show', String(deploys[0]!.id));
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /deploy \d+: cart 1\.5\.0 \(prod\)/);
    assert.match(show.stdout, /previous deploy's commit: 9f8e7d6c/);
  });

  it('deploy usage errors exit 2 with a clear message', async () => {
    const badAt = await cli('deploy', 'record', '--service', 'cart', '--version=2', '--at', 'last tuesday');
    assert.equal(badAt.code, 2);
    assert.match(badAt.stderr, /--at: "last tuesday" is not a time/);
    const badCommit = await cli('deploy', 'record', '--service', 'cart', '--version=2', '--commit', 'main');
    assert.equal(badCommit.code, 2);
    assert.match(badCommit.stderr, /commit: must be a commit SHA/);
    const missing = await cli('deploy', 'show', '424242');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no deploy with id 424242/);
  });

  it('infra import reads a folder recursively, then infra list shows the sizing', async () => {
    const imp = await cli('infra', 'import', 'test/fixtures/infra/k8s', '--json');
    assert.equal(imp.code, 0, imp.stderr);
    const res = JSON.parse(imp.stdout) as InfraImportResult;
    assert.deepEqual(res.imported, { StatefulSet: 1, Deployment: 2, Service: 2, HorizontalPodAutoscaler: 2 });
    assert.ok(res.resources.some((r) => r.rawRef === 'test/fixtures/infra/k8s/shop.yaml:2'));

    const text = await cli('infra', 'import', 'test/fixtures/infra/k8s');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Imported 7 resources from 2 files as source .*\(replacing 7 from the last import\)/);
    assert.match(
      text.stdout,
      /HorizontalPodAutoscaler +shop\/catalog-hpa +catalog +scaleTargetRef Deployment\/catalog/,
    );
    assert.match(text.stdout, /cart +label app=cart/, 'cart is known from the deploys recorded above');

    const list = await cli('infra', 'list', '--service', 'catalog');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Deployment +shop\/catalog +replicas 3, requests 300m\/320Mi per pod/);
    assert.match(list.stdout, /3–10 replicas of Deployment\/catalog, cpu 70%, memory 512Mi/);
    const json = JSON.parse((await cli('infra', 'list', '--json')).stdout) as { resources: InfraResource[] };
    assert.equal(json.resources.length, 7);
  });

  it('infra import of a broken manifest exits 2 naming the file and line, and imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-infra-'));
    try {
      writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fine}\n');
      writeFileSync(join(dir, 'zz-bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n');
      const res = await cli('infra', 'import', dir);
      assert.equal(res.code, 2);
      assert.match(res.stderr, /zz-bad\.yaml:\d+: invalid YAML: .*nothing was imported/);
      const list = JSON.parse((await cli('infra', 'list', '--json')).stdout) as { resources: InfraResource[] };
      assert.equal(
        list.resources.some((r) => r.name === 'fine'),
        false,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const missing = await cli('infra', 'import', 'no/such/dir');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/dir: no such file or directory/);
  });
});
