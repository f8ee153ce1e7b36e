// Deploy verification's false alarms in the example world: the shop at its baselines with steady
// traffic and no fault, then only benign deploys, each service's one after another a few minutes
// apart (its watch window and a baseline of the version before): the history's harmless deploys
// (scenarios.json's noise deploys), documentation-only commits, and commits that touch a function
// on the hot path without changing what it does (a statement at the top of its body that writes
// a marker to the service's log file once, the first time it runs: the bench's proof that the
// traffic reached it; nothing goes to the telemetry). Each is a real commit on top of the version
// running, built with git plumbing. None may be called regressed.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  LoadDriver,
  type ShopService,
  type World,
  makePopulation,
  memoryOutput,
  parseScenariosFile,
  planDemo,
  shopSourceDir,
  startWorld,
} from '../../src/demo/index.js';
import { countLogLines } from './sim-world.js';
import { exportedFunctions } from './sim-mutants.js';
import { freePort } from './server-process.js';
import { type ReadVerdict, VerdictWatcher } from './validate-verdicts.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const BENIGN_MARKER = 'BENIGN-REACHED';

/** What a benign deploy changes. */
export type BenignChange = { kind: 'hot-path'; fn: string } | { kind: 'docs' } | { kind: 'history'; tag: string };

/**
 * The benign deploys in order, each service's in turn; `fn` is `file#symbol` in the service's
 * src/ (functions every shopper's session runs: reading a cart, pricing an order, a product
 * lookup, the checkout, opening a sealed cart, taking a database connection).
 */
export const BENIGN_PLAN: Array<{ service: ShopService; change: BenignChange | 'noise' }> = [
  { service: 'cart', change: { kind: 'hot-path', fn: 'cart-store.js#CartStore.get' } },
  { service: 'catalog', change: 'noise' },
  { service: 'payments', change: { kind: 'hot-path', fn: 'pricing.js#priceOrder' } },
  { service: 'web', change: 'noise' },
  { service: 'cart', change: { kind: 'docs' } },
  { service: 'catalog', change: { kind: 'hot-path', fn: 'cache.js#TtlCache.get' } },
  { service: 'payments', change: { kind: 'docs' } },
  { service: 'web', change: { kind: 'hot-path', fn: 'checkout.js#checkout' } },
  { service: 'cart', change: { kind: 'hot-path', fn: 'seal.js#unseal' } },
  { service: 'catalog', change: { kind: 'hot-path', fn: 'db.js#Pool.acquire' } },
];

export interface BenignDeploy {
  service: string;
  version: string;
  change: BenignChange;
  what: string;
  liveAt: string;
  /** For a hot-path change: whether the traffic ran the changed function (its marker was logged). */
  reached: boolean | null;
  read: ReadVerdict;
  ok: boolean;
}

export interface BenignRun {
  seed: number;
  /** Deploys asked for (--benign). */
  asked: number;
  watchMinutes: number;
  gapS: number;
  warmS: number;
  deploys: BenignDeploy[];
}

export interface BenignOptions {
  dir: string;
  seed: number;
  /** How many of BENIGN_PLAN's deploys (in order). */
  count: number;
  watchMinutes: number;
  /** Seconds of steady traffic before the first deploy (its baseline). */
  warmS: number;
  /** Seconds between deploys (each service's next one is four gaps later). */
  gapS: number;
  graceMs: number;
  log: (line: string) => void;
}

async function git(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd: repo,
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...env },
  });
  return stdout.trim();
}

/** A commit of `files` on top of `parent` as branch `ref`, the working tree untouched; its SHA. */
async function commitOnTop(
  repo: string,
  parent: string,
  ref: string,
  files: Array<{ path: string; text: string }>,
  message: string,
) {
  const tmp = join(os.tmpdir(), `orrery-benign-${process.pid}-${ref.replace(/\W+/g, '_')}`);
  const index = { GIT_INDEX_FILE: `${tmp}.index` };
  await git(repo, ['read-tree', parent], index);
  for (const f of files) {
    writeFileSync(tmp, f.text);
    const blob = await git(repo, ['hash-object', '-w', tmp]);
    await git(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${f.path}`], index);
  }
  const tree = await git(repo, ['write-tree'], index);
  const who = {
    GIT_AUTHOR_NAME: 'Benign Bench',
    GIT_AUTHOR_EMAIL: 'bench@orrery.invalid',
    GIT_COMMITTER_NAME: 'Benign Bench',
    GIT_COMMITTER_EMAIL: 'bench@orrery.invalid',
  };
  const sha = await git(repo, ['commit-tree', tree, '-p', parent, '-m', message], who);
  await git(repo, ['update-ref', `refs/heads/${ref}`, sha]);
  return sha;
}

async function fileAt(repo: string, sha: string, path: string): Promise<string | null> {
  try {
    return `${await git(repo, ['show', `${sha}:${path}`])}\n`;
  } catch {
    return null;
  }
}

/** The commit of a benign change on top of the running `sha`, and what it did in words. */
async function benignCommit(
  repo: string,
  service: ShopService,
  sha: string,
  change: Exclude<BenignChange, { kind: 'history' }>,
  n: number,
): Promise<{ sha: string; what: string; markerId: string | null }> {
  const ref = `benign/${service}/${n}`;
  if (change.kind === 'docs') {
    const path = `services/${service}/README.md`;
    const before = (await fileAt(repo, sha, path)) ?? `# ${service}\n`;
    const text = `${before}\nOn-call: see the runbook index before paging the team (${n}).\n`;
    return {
      sha: await commitOnTop(repo, sha, ref, [{ path, text }], `${service}: README, the on-call note`),
      what: `docs only (${path})`,
      markerId: null,
    };
  }
  const [file, symbol] = change.fn.split('#') as [string, string];
  const path = `services/${service}/src/${file}`;
  const src = await fileAt(repo, sha, path);
  const fn = src && exportedFunctions(service, path, src).find((m) => m.symbol === symbol);
  if (!src || !fn) throw new Error(`${service}@${sha.slice(0, 8)} has no exported ${change.fn}`);
  const markerId = `${service}:${change.fn}#${n}`;
  const flag = `__benignReached${n}`;
  const stmt = ` if (!globalThis.${flag}) { globalThis.${flag} = true; process.stderr.write(\`\${new Date().toISOString()} ${BENIGN_MARKER} ${markerId}\\n\`); }`;
  const text = src.slice(0, fn.bodyAt) + stmt + src.slice(fn.bodyAt);
  return {
    sha: await commitOnTop(repo, sha, ref, [{ path, text }], `${service}: ${symbol} notes its first call`),
    what: `hot path: ${change.fn} (behaviour unchanged)`,
    markerId,
  };
}

interface Scheduled {
  service: ShopService;
  change: BenignChange;
  at: number;
}

async function deployOne(
  world: World,
  s: Scheduled,
  n: number,
  recorded: boolean,
): Promise<{ version: string; what: string; liveAtMs: number; markerId: string | null }> {
  const sup = world.supervisor;
  const running = sup.running(s.service);
  if (!running) throw new Error(`${s.service} is not running`);
  let tag: string;
  let sha: string;
  let version: string;
  let what: string;
  let markerId: string | null = null;
  if (s.change.kind === 'history') {
    tag = s.change.tag;
    sha = world.shaOf(tag);
    version = tag.slice(tag.lastIndexOf('/v') + 2);
    what = `the history's ${tag}`;
  } else {
    const c = await benignCommit(world.repo.dir, s.service, running.sha, s.change, n);
    tag = `benign/${s.service}/${n}`;
    sha = c.sha;
    version = `${running.version.replace(/-b\d+$/, '')}-b${n}`;
    what = c.what;
    markerId = c.markerId;
  }
  const staged = await sup.stage(s.service, tag, sha, { version });
  const wait = s.at - Date.now();
  if (wait > 0) await sleep(wait);
  const rec = await world.release(staged, { recorded, scenario: null });
  return { version, what, liveAtMs: Date.parse(rec.at), markerId };
}

export async function runBenign(opts: BenignOptions): Promise<BenignRun> {
  const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
  const world = await startWorld({
    dir: opts.dir,
    port: await freePort(),
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    verifyWatchMinutes: opts.watchMinutes,
    out: memoryOutput(),
  });
  let driver: LoadDriver | undefined;
  let watcher: VerdictWatcher | undefined;
  try {
    await world.startBaselines(planDemo(file, []).baselines);
    driver = new LoadDriver({
      webUrl: world.supervisor.url('web'),
      seed: opts.seed,
      users: makePopulation(opts.seed, 400, 90),
      baseRps: 20,
    });
    driver.start();
    const t0 = Date.now();
    watcher = new VerdictWatcher(world.api.base, t0);
    const noise = [...file.noiseDeploys];
    const plan: Scheduled[] = BENIGN_PLAN.slice(0, opts.count).map((p, i) => {
      let change: BenignChange;
      if (p.change === 'noise') {
        const k = noise.findIndex((d) => d.service === p.service);
        if (k < 0) throw new Error(`scenarios.json has no noise deploy of ${p.service}`);
        change = { kind: 'history', tag: noise.splice(k, 1)[0]!.tag };
      } else change = p.change;
      return { service: p.service, change, at: t0 + (opts.warmS + i * opts.gapS) * 1000 };
    });
    opts.log(`benign world (seed ${opts.seed}): ${plan.length} deploys from ${opts.warmS} s, every ${opts.gapS} s`);
    // One service's deploys one after another; the services' lanes run side by side.
    const lanes = new Map<ShopService, Promise<unknown>>();
    const made = plan.map((s, i) => {
      const prev = lanes.get(s.service) ?? Promise.resolve();
      const p = prev.then(async () => {
        await sleep(Math.max(0, s.at - 20_000 - Date.now()));
        const d = await deployOne(world, s, i + 1, file.services[s.service]?.recorded ?? false);
        opts.log(`  deployed ${s.service} ${d.version}: ${d.what}`);
        return d;
      });
      lanes.set(
        s.service,
        p.catch(() => {}),
      );
      return p;
    });
    const deployed = await Promise.all(made);
    const lastLive = Math.max(...deployed.map((d) => d.liveAtMs));
    const reads = await watcher.finish(
      deployed.map((d, i) => ({ service: plan[i]!.service, version: d.version, liveAtMs: d.liveAtMs })),
      lastLive + opts.watchMinutes * 60_000 + opts.graceMs,
      (d, r) => opts.log(`  ${d.service} ${d.version}: ${r.verdict} ${r.seenAfterS?.toFixed(0)} s after go-live`),
    );
    const logDir = join(world.worldDir, 'logs');
    const deploys = deployed.map((d, i): BenignDeploy => {
      const s = plan[i]!;
      const reached =
        d.markerId === null
          ? null
          : countLogLines(
              logDir,
              s.service,
              d.liveAtMs - 60_000,
              Date.now(),
              new RegExp(`${BENIGN_MARKER} ${d.markerId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
            ) > 0;
      const read = reads[i]!;
      return {
        service: s.service,
        version: d.version,
        change: s.change,
        what: d.what,
        liveAt: new Date(d.liveAtMs).toISOString(),
        reached,
        read,
        ok: read.verdict === 'healthy' || read.verdict === 'inconclusive',
      };
    });
    return {
      seed: opts.seed,
      asked: opts.count,
      watchMinutes: opts.watchMinutes,
      gapS: opts.gapS,
      warmS: opts.warmS,
      deploys,
    };
  } finally {
    await watcher?.stop();
    await driver?.stop();
    await world.stop();
  }
}
