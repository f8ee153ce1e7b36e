// Deploy verification in the example world: `orrery demo`'s world with every scenario (or the
// ones asked for), its traffic kept at 1× once ready, each deploy's verdict read as a rollout
// gate reads it. Scored against the truth files afterwards: each scenario's first bad deploy
// must be called regressed, every other deploy healthy or inconclusive, never regressed. The
// truth stays in this process; Orrery is asked only for each deploy's verification.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DeployRecord,
  type ScenarioName,
  type ScenarioTruth,
  memoryOutput,
  parseScenariosFile,
  runDemo,
  shopSourceDir,
} from '../../src/demo/index.js';
import { freePort } from './server-process.js';
import { type ReadVerdict, VerdictWatcher, type WatchedDeploy } from './validate-verdicts.js';

export interface ExampleDeploy {
  service: string;
  version: string;
  /** The scenario whose first bad deploy this is, else null (benign). */
  badFor: ScenarioName | null;
  liveAt: string;
  read: ReadVerdict;
  ok: boolean;
}

export interface ExampleRun {
  seed: number;
  scenarios: ScenarioName[];
  durationS: number;
  watchMinutes: number;
  deploys: ExampleDeploy[];
}

export interface ExampleOptions {
  dir: string;
  scenarios: ScenarioName[];
  durationS: number;
  seed: number;
  watchMinutes: number;
  /** Extra time past the last deploy's watch window before giving up on a verdict. */
  graceMs: number;
  log: (line: string) => void;
}

/** The deploys the world made after its baselines (the versions it started at). */
function madeDeploys(deploys: readonly DeployRecord[]): DeployRecord[] {
  const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
  const baselines = new Set(Object.values(file.services).map((s) => s.baseline));
  return deploys.filter((d) => !(d.scenario === null && baselines.has(d.tag)));
}

export async function runExample(opts: ExampleOptions): Promise<ExampleRun> {
  const t0 = Date.now();
  const port = await freePort();
  // Watching from the start: verdicts come while the traffic phase still runs.
  const watcher = new VerdictWatcher(`http://127.0.0.1:${port}`, t0);
  const world = await runDemo({
    scenarios: opts.scenarios,
    durationS: opts.durationS,
    seed: opts.seed,
    dir: opts.dir,
    port,
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    users: 400,
    accounts: 90,
    baseRps: 20,
    verifyWatchMinutes: opts.watchMinutes,
    out: memoryOutput(),
  }).catch(async (err) => {
    await watcher.stop();
    throw err;
  });
  // Traffic goes on at 1× as in `orrery demo`: the watch windows run past the traffic phase.
  world.keepDriving();
  opts.log(`example world (seed ${opts.seed}) ready in ${Math.round((Date.now() - t0) / 1000)} s; reading verdicts`);
  try {
    const made = madeDeploys(world.deploys);
    const watched: WatchedDeploy[] = made.map((d) => ({
      service: d.service,
      version: d.version,
      liveAtMs: Date.parse(d.at),
    }));
    const lastLive = Math.max(...watched.map((d) => d.liveAtMs));
    const reads = await watcher.finish(watched, lastLive + opts.watchMinutes * 60_000 + opts.graceMs, (d, r) =>
      opts.log(`  ${d.service} ${d.version}: ${r.verdict} ${r.seenAfterS?.toFixed(0)} s after go-live`),
    );
    const badOf = (d: DeployRecord, truth: readonly ScenarioTruth[]) =>
      truth.find((t) => t.firstBadDeploy?.service === d.service && t.firstBadDeploy.version === d.version)?.scenario ??
      null;
    const deploys = made.map((d, i): ExampleDeploy => {
      const read = reads[i]!;
      const badFor = badOf(d, world.truth);
      const ok = badFor ? read.verdict === 'regressed' : read.verdict === 'healthy' || read.verdict === 'inconclusive';
      return { service: d.service, version: d.version, badFor, liveAt: d.at, read, ok };
    });
    return {
      seed: opts.seed,
      scenarios: opts.scenarios,
      durationS: opts.durationS,
      watchMinutes: opts.watchMinutes,
      deploys,
    };
  } finally {
    await watcher.stop();
    await world.stop();
  }
}
