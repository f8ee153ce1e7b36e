// Small worlds for the load judgement (investigate's load-change): web, the entry, calls catalog
// once per request; catalog deployed 3.2.1 (from 3.2.0) two minutes into the baseline. Three
// cases: the entry's traffic triples and catalog saturates while 3.2.1 ran like 3.2.0 at the same
// load (`surge-benign-deploy`); the same surge, but 3.2.1 was already twice as slow at the same
// load (`surge-slower-deploy`); the entry's traffic stays flat while web calls catalog three times
// per request, an N+1 in the caller (`n-plus-one-caller`). Deterministic: a seeded LCG, fixed times.
import {
  type CandidateChange,
  type InvestigationFacts,
  type LoadFacts,
  type RcaInput,
  type RedRow,
  type VersionMinute,
  rankRootCauses,
} from '../../src/analysis/index.js';
import type { Deploy } from '../../src/model/index.js';
import { BASE, INC, MIN, T0, rng, sketch } from './rca-worlds.js';

export type LoadCase = 'surge-benign-deploy' | 'surge-slower-deploy' | 'n-plus-one-caller';

export interface LoadWorld {
  input: RcaInput;
  load: LoadFacts;
  change: CandidateChange;
  windows: {
    incident: typeof INC;
    baseline: typeof BASE;
    bucketMinutes: { baseline: number; incident: number };
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const DEPLOY_MS = T0 + 2 * MIN;

function deploy(id: number, version: string, atMs: number): Deploy {
  return {
    id,
    service: 'catalog',
    environment: 'prod',
    version,
    commitSha: `${id}`.repeat(40).slice(0, 40),
    previousCommitSha: null,
    deployedAt: iso(atMs),
    inferred: true,
    source: 'telemetry',
    attributes: {},
  };
}

export function loadWorld(kind: LoadCase): LoadWorld {
  const r = rng(kind.length * 7 + 3);
  const red: RedRow[] = [];
  const edges: RcaInput['edges'][number][] = [];
  const versions: VersionMinute[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5;
    const webRequests = kind !== 'n-plus-one-caller' && inc ? 300 : 100;
    const perRequest = kind === 'n-plus-one-caller' && inc ? 3 : 1;
    const calls = webRequests * perRequest;
    const version = minuteMs < DEPLOY_MS ? '3.2.0' : '3.2.1';
    // catalog's median: 30 ms at the baseline's load, 350 ms saturated; 3.2.1 twice as slow in the slower case.
    const slow = kind === 'surge-slower-deploy' && version === '3.2.1' ? 2 : 1;
    const nPlusOne = kind === 'n-plus-one-caller';
    // The N+1 adds calls catalog serves without saturating: a little slower, no errors.
    const catalogMs = (inc ? (nPlusOne ? 45 : 350) : 30) * slow;
    const errors = inc && !nPlusOne ? Math.round(calls * 0.05) : 0;
    const catalogLatency = sketch(calls, catalogMs, r);
    red.push({
      minuteMs,
      service: 'web',
      endpoint: 'GET /products',
      requests: webRequests,
      errors,
      latency: sketch(webRequests, 20 + catalogMs * perRequest, r),
    });
    red.push({
      minuteMs,
      service: 'catalog',
      endpoint: 'GET /products',
      requests: calls,
      errors,
      latency: catalogLatency,
    });
    edges.push({ minuteMs, caller: 'web', callee: 'catalog', calls, errors, latency: sketch(calls, catalogMs + 2, r) });
    versions.push({ minuteMs, version, requests: calls, errors, latency: catalogLatency });
  }
  const windows = { incident: INC, baseline: BASE, bucketMinutes: { baseline: 1, incident: 1 } };
  return {
    input: { baseline: BASE, incident: INC, red, patterns: [], errorGroups: [], edges },
    load: {
      service: 'catalog',
      traffic: red.map(({ minuteMs, service, endpoint, requests }) => ({ minuteMs, service, endpoint, requests })),
      calls: [{ caller: 'web', callee: 'catalog' }],
      versions,
      bucketSeconds: 60,
    },
    change: { deploy: deploy(8, '3.2.1', DEPLOY_MS), previous: deploy(7, '3.2.0', T0 - 60 * MIN) },
    windows,
  };
}

/** An alert on web since the incident, with the load world's ranking, catalog's change and load facts. */
export function loadAlertFacts(kind: LoadCase): InvestigationFacts {
  const w = loadWorld(kind);
  const rca = rankRootCauses(w.input);
  return {
    subject: { kind: 'alert', service: 'web', since: iso(INC.startMs) },
    anchor: { service: 'web', sinceMs: INC.startMs, untilMs: INC.endMs, tickets: [] },
    ticket: null,
    problem: null,
    subjectGaps: [],
    windows: w.windows,
    signalGaps: [],
    rca,
    deploys: new Map([['catalog', [w.change.previous!, w.change.deploy]]]),
    changes: new Map([['catalog', w.change]]),
    code: null,
    load: [w.load],
    impact: [],
  };
}
