// What a proposal rests on beside its rule, read from the store: its preconditions (checked when
// proposed and again before it runs), its blast radius from the service graph, the manifest's
// present values, and the simulation of its effect (sim-load calibrated on the window that models
// the action). Each part that cannot be read says why instead of failing the proposal.
import {
  MAX_FACTOR,
  SimulationInputError,
  servicesOf,
  simulateLoad as predictLoad,
  simulationSetOf,
} from '../analysis/index.js';
import type {
  Deploy,
  LoadSimulationResult,
  Precondition,
  ProposalAction,
  ProposalBlastRadius,
  ProposalEffect,
  ProposalSimulation,
  WorkloadSpec,
} from '../model/index.js';
import { codeStore, listDeploys, listInfra } from '../store/index.js';
import { serviceGraph } from './analysis-read.js';
import type { Context } from './context.js';
import { calibrateWindow, simulateLoad } from './simulate.js';

/** The window the blast radius and the simulations read: the last 30 minutes. */
export const PROPOSAL_WINDOW_MS = 30 * 60_000;

/** The service's newest deploy (in `environment` when given). */
export async function newestDeploy(
  ctx: Pick<Context, 'store'>,
  service: string,
  environment?: string,
): Promise<Deploy | null> {
  const [d] = await listDeploys(ctx.store.db, {
    service,
    ...(environment !== undefined ? { environment } : {}),
    limit: 1,
  });
  return d ?? null;
}

/** The manifest's replicas, HPA minimum and literal env for `service`, from the stored infrastructure. */
export async function manifestOf(
  ctx: Pick<Context, 'store'>,
  service: string,
): Promise<{
  replicas: number | null;
  hpaMin: number | null;
  hasHpa: boolean;
  env: Record<string, string>;
  ref: string | null;
} | null> {
  const rows = await listInfra(ctx.store.db, { service });
  const workload = rows.find((r) => r.spec.type === 'workload');
  if (!workload) return null;
  const hpa = rows.find((r) => r.spec.type === 'hpa');
  const spec = workload.spec as WorkloadSpec;
  const env = Object.assign({}, ...spec.containers.map((c) => c.env ?? {})) as Record<string, string>;
  return {
    replicas: spec.replicas,
    hpaMin: hpa?.spec.type === 'hpa' ? hpa.spec.minReplicas : null,
    hasHpa: hpa !== undefined,
    env,
    ref: workload.rawRef,
  };
}

/** The generic preconditions of an action (the executor adds its own). */
export async function preconditionsOf(ctx: Pick<Context, 'store'>, a: ProposalAction): Promise<Precondition[]> {
  const out: Precondition[] = [];
  if (a.kind === 'rollback') {
    const now = await newestDeploy(ctx, a.service, a.environment);
    out.push({
      key: 'running-version',
      text: `${a.service} still runs ${a.fromVersion}`,
      met: now === null ? null : now.version === a.fromVersion,
      detail:
        now === null
          ? 'no deploy of it is recorded'
          : `its newest deploy is ${now.version} (deploy ${now.id}, ${now.deployedAt})`,
    });
    const target = (
      await listDeploys(ctx.store.db, { service: a.service, environment: a.environment, limit: 500 })
    ).find((d) => d.version === a.toVersion);
    out.push({
      key: 'target-deployable',
      text: `version ${a.toVersion} is still deployable`,
      met: target !== undefined,
      detail: target
        ? `deploy ${target.id} ran it${target.commitSha ? ` from commit ${target.commitSha.slice(0, 10)}` : ''}; the executor checks it can still deploy it`
        : `no deploy of ${a.service} ${a.toVersion} is recorded`,
    });
  }
  if (a.kind === 'revert') {
    const repo = await codeStore.findRepository(ctx.store.db, a.repository);
    const commit = repo ? await codeStore.findCommit(ctx.store.db, repo.id, a.sha) : null;
    out.push({
      key: 'commit-known',
      text: `commit ${a.sha.slice(0, 10)} is in ${a.repository}`,
      met: commit !== null,
      detail: repo
        ? commit
          ? `indexed: "${commit.message.split('\n')[0]}"`
          : 'not in the indexed history'
        : `no repository "${a.repository}" is indexed`,
    });
  }
  if (a.kind === 'scale' || a.kind === 'config') {
    const m = await manifestOf(ctx, a.service);
    let met: boolean | null = m === null ? null : true;
    let detail = m ? `from ${m.ref}` : 'no manifest of it is imported (orrery infra import)';
    if (m && a.kind === 'scale') {
      if (a.replicas && a.replicas.from !== null && m.replicas !== a.replicas.from) {
        met = false;
        detail = `the manifest says ${m.replicas ?? 'nothing'} replicas, not ${a.replicas.from}`;
      }
      if (a.hpaMin && a.hpaMin.from !== null && m.hpaMin !== a.hpaMin.from) {
        met = false;
        detail = `the HPA's minimum is ${m.hpaMin ?? 'unset'}, not ${a.hpaMin.from}`;
      }
    }
    if (m && a.kind === 'config' && a.from !== null && m.env[a.name] !== a.from) {
      met = false;
      detail = `the manifest's ${a.name} is ${m.env[a.name] ?? 'unset'}, not ${a.from}`;
    }
    out.push({
      key: 'manifest-values',
      text: `${a.service}'s manifest still holds the values changed from`,
      met,
      detail,
    });
  }
  return out;
}

/** Who calls the changed services (directly or through others) in the window, and their traffic. */
export async function blastRadiusOf(
  ctx: Pick<Context, 'store'>,
  a: ProposalAction,
  now: Date,
): Promise<ProposalBlastRadius> {
  const changed = servicesOf(a);
  const since = new Date(now.getTime() - PROPOSAL_WINDOW_MS);
  const graph = await serviceGraph(ctx, { since, until: now });
  const minutes = PROPOSAL_WINDOW_MS / 60_000;
  const exposed: ProposalBlastRadius['exposed'] = [];
  const seen = new Set(changed);
  let frontier = [...changed];
  while (frontier.length) {
    const next: string[] = [];
    for (const callee of frontier)
      for (const e of graph.edges)
        if (e.callee === callee && !seen.has(e.caller)) {
          seen.add(e.caller);
          next.push(e.caller);
          exposed.push({ service: e.caller, via: `${e.caller} → ${e.callee}`, callsPerMinute: e.calls / minutes });
        }
    frontier = next;
  }
  const served = graph.nodes.filter((n) => changed.includes(n.service));
  return {
    changed,
    exposed,
    requestsPerMinute: served.length ? served.reduce((s, n) => s + n.requests, 0) / minutes : null,
    window: { since: since.toISOString(), until: now.toISOString() },
    note:
      graph.edges.length === 0 && graph.nodes.length === 0
        ? 'no telemetry in the last 30 minutes: callers are not known'
        : a.kind === 'revert'
          ? 'the services the reverted code reaches: orrery simulate change --range <sha>^..<sha>'
          : null,
  };
}

/** A load run's result (simulateLoad stores load runs only). */
function loadResult(r: { result: { kind: string } }): LoadSimulationResult {
  if (r.result.kind !== 'load') throw new Error(`expected a load simulation, got ${r.result.kind}`);
  return r.result as LoadSimulationResult;
}

const entryRate = (r: LoadSimulationResult) => r.endpoints.reduce((s, e) => s + e.rate.baseline, 0);

function effects(now: LoadSimulationResult, after: LoadSimulationResult): ProposalEffect[] {
  return after.endpoints.flatMap((e) => {
    const cur = now.endpoints.find((x) => x.service === e.service && x.endpoint === e.endpoint);
    if (!cur) return [];
    return [
      {
        service: e.service,
        endpoint: e.endpoint,
        before: { errorRate: cur.baseline.errorRate, p95: cur.baseline.p95, requests: cur.baseline.requests },
        after: { errorRate: e.predicted.errorRate, p95: e.predicted.p95 },
      },
    ];
  });
}

/**
 * The action's simulated effect. A capacity change (scale, a config value the model reads) is
 * simulated on the present window with its `--set` lines; a rollback or a revert on the window
 * before the blamed version went out (when the version rolled back to ran), at the present load;
 * a flag or a restart has no input in the load model and is not simulated.
 */
export async function simulateAction(
  ctx: Context,
  a: ProposalAction,
  now: Date,
  blamedAt: Date | null,
): Promise<{ simulation: ProposalSimulation | null; note: string | null }> {
  if (a.kind === 'flag')
    return { simulation: null, note: 'not simulated: the load model has no input for a feature flag' };
  if (a.kind === 'restart')
    return { simulation: null, note: 'not simulated: a restart changes no input of the load model' };
  const window = { startMs: now.getTime() - PROPOSAL_WINDOW_MS, endMs: now.getTime() };
  try {
    const { calibration } = await calibrateWindow(ctx, window);
    if (calibration.entries.length === 0)
      return { simulation: null, note: 'not simulated: no trace began in the last 30 minutes to calibrate on' };
    const present = predictLoad(calibration, { factor: 1, endpoint: null, set: [] }, { replicates: 10 });
    const set = simulationSetOf(a);
    if (set) {
      const run = await simulateLoad(ctx, { factor: 1, set, windowMs: PROPOSAL_WINDOW_MS, until: now });
      return {
        simulation: {
          simulationId: run.id,
          algorithm: run.algorithm,
          method: `calibrated on the last 30 minutes at the present load, with ${set.join(' ')}`,
          window: loadResult(run).window,
          factor: 1,
          set,
          endpoints: effects(present, loadResult(run)),
        },
        note: null,
      };
    }
    if (!blamedAt)
      return { simulation: null, note: 'not simulated: no deploy time to calibrate the earlier version on' };
    const before = { startMs: blamedAt.getTime() - PROPOSAL_WINDOW_MS, endMs: blamedAt.getTime() };
    const old = await calibrateWindow(ctx, before);
    if (old.calibration.entries.length === 0)
      return {
        simulation: null,
        note: `not simulated: no trace in the 30 minutes before ${blamedAt.toISOString()}, when the earlier version ran`,
      };
    const oldRate = entryRate(predictLoad(old.calibration, { factor: 1, endpoint: null, set: [] }, { replicates: 1 }));
    const factor = Math.min(MAX_FACTOR, Math.max(0.01, oldRate > 0 ? entryRate(present) / oldRate : 1));
    const run = await simulateLoad(ctx, { factor, windowMs: PROPOSAL_WINDOW_MS, until: blamedAt });
    return {
      simulation: {
        simulationId: run.id,
        algorithm: run.algorithm,
        method: `calibrated on the 30 minutes before ${blamedAt.toISOString()}, when the version ${a.kind === 'rollback' ? `rolled back to (${a.toVersion})` : 'without the commit'} ran, at the present load`,
        window: loadResult(run).window,
        factor,
        set: [],
        endpoints: effects(present, loadResult(run)),
      },
      note: null,
    };
  } catch (err) {
    if (err instanceof SimulationInputError) return { simulation: null, note: `not simulated: ${err.message}` };
    throw err;
  }
}
