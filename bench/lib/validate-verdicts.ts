// Deploy verdicts as a rollout gate reads them: from before the world's first deploy, every
// deploy Orrery lists (but the baselines) has its GET /api/deploys/:id/verification asked every
// few seconds until it is decided, so the time to a verdict is measured while the world runs. A
// verdict the server's minute loop stored first shows in the list and counts from then. Only
// reads go to Orrery.
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
  /** When a poll first found it decided, in seconds after go-live: what a gate polling every 10 s waits. */
  seenAfterS: number | null;
  /** The verification's decidedAt after go-live (the end of the minute whose data decided it). */
  decidedAfterS: number | null;
  looks: number | null;
  summary: string | null;
  /** The titles of the findings that decided it (regressions) or explain it. */
  findings: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(api: string, path: string): Promise<T | null> {
  try {
    const res = await fetch(`${api}${path}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(120_000),
    });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null; // not up yet, or busy: asked again next time
  }
}

const keyOf = (service: string, version: string) => `${service}\u0000${version}`;

function findingsOf(v: DeployVerification): string[] {
  const decided = v.findings.filter((f) =>
    v.verdict === 'regressed'
      ? f.kind === 'regression' || ((f.kind === 'new_error_group' || f.kind === 'new_log_pattern') && f.test?.passed)
      : f.kind === 'confounded' || f.kind === 'traffic' || (f.kind === 'load_change' && v.controls.load?.changed),
  );
  return decided.slice(0, 3).map((f) => f.title);
}

/** Polls the deploys from `sinceMs` on, noting when each one's verdict is first decided. */
export class VerdictWatcher {
  private readonly seen = new Map<string, { id: number; atMs: number; verdict: DeployVerdict }>();
  private readonly known = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly api: string,
    sinceMs: number,
    everyMs = 10_000,
  ) {
    const since = encodeURIComponent(new Date(sinceMs).toISOString());
    this.loop = (async () => {
      while (this.running) {
        const cycle = Date.now();
        const list = await getJson<{ deploys: Deploy[] }>(api, `/api/deploys?since=${since}&limit=500`);
        // Asked side by side, each deploy's answer timed as it arrives, every `everyMs` from the
        // cycle's start: a slow answer for one deploy does not delay another's.
        await Promise.all(
          (list?.deploys ?? []).map(async (d) => {
            const k = keyOf(d.service, d.version);
            this.known.set(k, d.id);
            if (this.seen.has(k) || d.attributes.baseline === true) return;
            const verdict =
              d.verdict?.verdict ??
              (await getJson<DeployVerification>(api, `/api/deploys/${d.id}/verification`))?.verdict ??
              'watching';
            if (verdict !== 'watching') this.seen.set(k, { id: d.id, atMs: Date.now(), verdict });
          }),
        );
        await sleep(Math.max(0, everyMs - (Date.now() - cycle)));
      }
    })();
  }

  /** Stops polling (finish does it too). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  decided(d: Pick<WatchedDeploy, 'service' | 'version'>): boolean {
    return this.seen.has(keyOf(d.service, d.version));
  }

  /** Waits until every deploy's verdict has shown, or `untilMs`; then stops and reads each verification. */
  async finish(
    deploys: readonly WatchedDeploy[],
    untilMs: number,
    onDecided?: (d: WatchedDeploy, r: ReadVerdict) => void,
  ): Promise<ReadVerdict[]> {
    const told = new Set<string>();
    while (true) {
      for (const d of deploys) {
        const k = keyOf(d.service, d.version);
        const s = this.seen.get(k);
        if (s && !told.has(k)) {
          told.add(k);
          onDecided?.(d, { ...empty(), deployId: s.id, verdict: s.verdict, seenAfterS: (s.atMs - d.liveAtMs) / 1000 });
        }
      }
      if (deploys.every((d) => this.decided(d)) || Date.now() >= untilMs) break;
      await sleep(2_000);
    }
    await this.stop();
    return Promise.all(deploys.map((d) => this.read(d)));
  }

  private async read(d: WatchedDeploy): Promise<ReadVerdict> {
    const k = keyOf(d.service, d.version);
    const s = this.seen.get(k);
    const id = s?.id ?? this.known.get(k) ?? null;
    if (id === null) return empty();
    // A deploy still undecided is read as it stands now (watching, or decided by this read).
    const v = await getJson<DeployVerification>(this.api, `/api/deploys/${id}/verification`);
    if (!v) return { ...empty(), deployId: id };
    return {
      deployId: id,
      verdict: s ? s.verdict : 'watching',
      seenAfterS: s ? (s.atMs - d.liveAtMs) / 1000 : null,
      decidedAfterS: v.decidedAt === null ? null : (Date.parse(v.decidedAt) - d.liveAtMs) / 1000,
      looks: v.watch.looks,
      summary: v.summary,
      findings: findingsOf(v),
    };
  }
}

function empty(): ReadVerdict {
  return {
    deployId: null,
    verdict: 'missing',
    seenAfterS: null,
    decidedAfterS: null,
    looks: null,
    summary: null,
    findings: [],
  };
}
