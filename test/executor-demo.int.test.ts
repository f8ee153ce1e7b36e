// The example world's executor through the shared conformance suite, on the real supervisor: the
// shop's catalog runs from its git tags as real processes, and the executor rolls it back, scales
// it, changes an env value, turns its fault flag off and restarts it through the supervisor's
// control API (src/demo/control.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoExecutor } from '../src/act/index.js';
import { ControlServer } from '../src/demo/control.js';
import { buildShopRepo } from '../src/demo/repo-builder.js';
import { sdkNodeModules, shopSourceDir } from '../src/demo/paths.js';
import { Supervisor } from '../src/demo/supervisor.js';
import type { ProposalAction } from '../src/model/index.js';
import { type Harness, executorConformance } from './act/conformance.js';

executorConformance("demo (the example world's supervisor, real processes)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-demo-exec-'));
  const repo = await buildShopRepo(join(shopSourceDir(), 'history'), join(dir, 'shop'), { now: new Date() });
  const sup = await Supervisor.create({
    repoDir: repo.dir,
    workDir: join(dir, 'world'),
    otlpEndpoint: 'http://127.0.0.1:9',
    nodeModules: sdkNodeModules(),
    environment: 'test',
  });
  let effects = 0;
  const promote = sup.promote.bind(sup);
  sup.promote = (staged) => {
    effects++;
    return promote(staged);
  };
  const tag = 'catalog/v3.2.1';
  sup.promote(await sup.stage('catalog', tag, repo.tags.get(tag)!));
  effects = 0;
  sup.setFailure('catalog', { mode: 'errors', rate: 0.3 });
  const setFailure = sup.setFailure.bind(sup);
  sup.setFailure = (s, f) => {
    effects++;
    setFailure(s, f);
  };
  const control = await ControlServer.listen();
  control.bind({ supervisor: sup, tags: repo.tags, release: async (staged) => void sup.promote(staged) });
  const executor = new DemoExecutor({ url: control.url, token: control.token });
  const liveAt = new Map<number, number>();
  const applied = async (a: ProposalAction, id: number): Promise<boolean> => {
    const state = (await executor.state()).find((s) => s.service === 'catalog')!;
    const run = sup.running('catalog')!;
    switch (a.kind) {
      case 'rollback':
        return state.version === a.toVersion;
      case 'scale':
        return state.replicas === a.replicas?.to;
      case 'config':
        return state.env[a.name] === a.to;
      case 'flag':
        return state.flags[a.flag] === 0;
      case 'restart': {
        const seen = liveAt.get(id);
        if (seen === undefined) liveAt.set(id, run.liveAt.getTime());
        return seen !== undefined && seen !== run.liveAt.getTime();
      }
      default:
        return false;
    }
  };
  return {
    executor,
    actions: [
      {
        kind: 'rollback',
        service: 'catalog',
        environment: 'test',
        fromVersion: '3.2.1',
        toVersion: '3.2.0',
        toDeployId: null,
        toCommit: null,
      },
      { kind: 'scale', service: 'catalog', replicas: { from: 2, to: 3 }, hpaMin: null },
      { kind: 'config', service: 'catalog', name: 'DB_POOL_SIZE', from: '1', to: '2' },
      { kind: 'flag', service: 'catalog', flag: 'errorRate', to: 'off' },
      { kind: 'restart', services: ['catalog'] },
    ],
    unsupported: { kind: 'revert', repository: 'shop', sha: 'a'.repeat(40), subject: 'x', service: 'catalog' },
    stale: {
      kind: 'rollback',
      service: 'catalog',
      environment: 'test',
      fromVersion: '3.2.0',
      toVersion: '9.9.9',
      toDeployId: null,
      toCommit: null,
    },
    applied,
    effects: async () => effects,
    async close() {
      await control.close();
      await sup.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  } satisfies Harness;
});
