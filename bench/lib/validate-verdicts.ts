// Deploy verdicts as a rollout gate reads them: each deploy's GET /api/deploys/:id/verification,
// asked every few seconds until it is decided (or the wait ends), with when the answer first
// said so. Only the deploy's service and version go to Orrery (to find its id); nothing else.
import type { Deploy, DeployVerdict, DeployVerification } from '../../src/model/index.js';

/** A deploy the bench made, as its own records say (service, version, when it went live). */
export interface WatchedDeploy {
  service: string;
  version: string;
  /** When the balancer moved to it (epoch ms). */
  liveAtMs: number;
}

export interface ReadVerdict {
  deployId: number | null;
  verdict: DeployVerdict | 'missing';
  /** The first poll whose answer was decided, in seconds after go-live: what a gate waits. */
  seenAfterS: number | null;
  /** The verification's decidedAt after go-live (the end of the minute whose data decided it). */
  decidedAfterS: number | null;
  looks: number | null;
  summary: string | null;
  /** The titles of the findings that decided it (regressions) or explain it. */
  findings: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(api: string, path: string): Promise<{ status: number; body: T | null }> {
  const res = await fetch(`${api}${path}`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as T) : null };
}

/** Orrery's id of a deploy: its service's deploy of that version (recorded or inferred). */
async function deployIdOf(api: string, d: WatchedDeploy): Promise<number | null> {
  const { body } = await getJson<{ deploys: Deploy[] }>(
    api,
    `/api/deploys?service=${encodeURIComponent(d.service)}&limit=200`,
  );
  return body?.deploys.find((x) => x.version === d.version)?.id ?? null;
}

function readOf(v: DeployVerification, d: WatchedDeploy, seenMs: number | null): ReadVerdict {
  const decided = v.findings.filter((f) =>
    v.verdict === 'regressed'
      ? f.kind === 'regression' || ((f.kind === 'new_error_group' || f.kind === 'new_log_pattern') && f.test?.passed)
      : f.kind === 'confounded' || f.kind === 'traffic' || (f.kind === 'load_change' && v.controls.load?.changed),
  );
  return {
    deployId: v.deployId,
    verdict: v.verdict,
    seenAfterS: seenMs === null ? null : (seenMs - d.liveAtMs) / 1000,
    decidedAfterS: v.decidedAt === null ? null : (Date.parse(v.decidedAt) - d.liveAtMs) / 1000,
    looks: v.watch.looks,
    summary: v.summary,
    findings: decided.slice(0, 3).map((f) => f.title),
  };
}

/**
 * Polls every deploy's verification every `everyMs` until all are decided or `untilMs` passes;
 * `onDecided` hears each as it is decided. A deploy Orrery does not know (yet) is looked up again.
 */
export async function watchVerdicts(
  api: string,
  deploys: readonly WatchedDeploy[],
  opts: { untilMs: number; everyMs?: number; onDecided?: (d: WatchedDeploy, r: ReadVerdict) => void },
): Promise<ReadVerdict[]> {
  const every = opts.everyMs ?? 10_000;
  const out: ReadVerdict[] = deploys.map(() => ({
    deployId: null,
    verdict: 'missing',
    seenAfterS: null,
    decidedAfterS: null,
    looks: null,
    summary: null,
    findings: [],
  }));
  const done = deploys.map(() => false);
  while (true) {
    for (const [i, d] of deploys.entries()) {
      if (done[i]) continue;
      const r = out[i]!;
      r.deployId ??= await deployIdOf(api, d);
      if (r.deployId === null) continue;
      const t = Date.now();
      const { status, body } = await getJson<DeployVerification>(api, `/api/deploys/${r.deployId}/verification`);
      if (status !== 200 || !body) continue;
      const decided = body.verdict !== 'watching';
      out[i] = readOf(body, d, decided ? t : null);
      if (decided) {
        done[i] = true;
        opts.onDecided?.(d, out[i]!);
      }
    }
    if (done.every(Boolean) || Date.now() >= opts.untilMs) return out;
    await sleep(every);
  }
}
