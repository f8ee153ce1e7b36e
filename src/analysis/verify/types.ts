// Inputs of deploy verification: per-minute series of the deployed service before the deploy
// (the previous version, over the baseline) and after it (the deployed version), one per test.
import type { MinuteCount } from './stats.js';

export const DEPLOY_VERIFY_ALGORITHM = 'deploy-verify@2';

/** One minute's latency as its quantiles (null when the minute had too few samples). */
export interface LatencyMinute {
  minuteMs: number;
  count: number;
  p50: number | null;
  p95: number | null;
}

export interface CountSeries {
  key: string;
  label: string | null;
  before: MinuteCount[];
  after: MinuteCount[];
}

export interface EventSeries extends CountSeries {
  /** Seen on the service in the baseline (else it is new with the deploy). */
  seenBefore: boolean;
}

export interface LatencySeries {
  key: string;
  label: string | null;
  before: LatencyMinute[];
  after: LatencyMinute[];
}

export interface EdgeSeries {
  callee: string;
  /** x = calls to the callee, n = the service's requests (calls per request). */
  calls: CountSeries;
  /** x = calls no server span answered, n = calls. */
  unanswered: CountSeries;
  ownTime: LatencySeries;
}

/** Another service's deploy near this one (see VerifyControls.otherDeploys). */
export interface OtherDeploy {
  id: number;
  service: string;
  version: string;
  deployedAtMs: number;
  relation: 'callee' | 'other';
  /** Its service's errors or latency rose across its deploy. */
  changed: boolean;
}

export interface VerifySeries {
  deploy: { id: number; service: string; environment: string; version: string; deployedAtMs: number };
  previousVersion: string | null;
  /** The baseline's minutes: [startMs, endMs), endMs the deploy's minute. */
  baseline: { startMs: number; endMs: number };
  /** The first after-minute; a look k holds the after-minutes before afterStartMs + k minutes. */
  afterStartMs: number;
  /** Minutes from afterStartMs with complete data (looks available). */
  completeMinutes: number;
  /** x = the service's requests per minute (n = 1); lines when it served no requests. */
  traffic: { before: MinuteCount[]; after: MinuteCount[]; unit: 'requests' | 'log lines' };
  /** The system's entry requests per minute (n = 1); null when none were seen. */
  load: { before: MinuteCount[]; after: MinuteCount[] } | null;
  /** Per endpoint and '*': x = errors, n = requests. */
  errorShare: CountSeries[];
  /** Per error group: x = events, n = requests (or 1 per minute). */
  errorGroups: EventSeries[];
  /** Per WARN-or-worse log pattern: x = lines, n = requests (or 1 per minute). */
  patterns: EventSeries[];
  /** The family's events summed: their dispersion stands in for an event the baseline never saw. */
  pooled: { errorGroups: MinuteCount[]; patterns: MinuteCount[] };
  /** Per endpoint and '*'. */
  latency: LatencySeries[];
  selfTime: LatencySeries | null;
  edges: EdgeSeries[];
  otherDeploys: OtherDeploy[];
}

export interface VerifyOptions {
  /** Overall false-alarm level of one verification, split equally over the six families. Default 0.01. */
  alpha?: number;
  /** The watch window in minutes: healthy or inconclusive is decided at its end. Default 10. */
  watchMinutes?: number;
  /** Requests (or log lines) each side needs for healthy; fewer → inconclusive at the window's end. Default 100. */
  minTraffic?: number;
  /** A rise counts only at least this many times the baseline (shares and rates). Default 1.5. */
  minRatio?: number;
  /** A latency rise counts only when the after-minutes' median is at least this many times the baseline's. Default 1.2. */
  minLatencyRatio?: number;
  /** The baseline's last minutes tested against its earlier ones for a change already under way. Default 5. */
  recentMinutes?: number;
  /** The level at which a change in the baseline's last minutes counts as already under way. Default 0.05. */
  preExistingAlpha?: number;
  /** A load change: entry load moved at least this factor either way and passed its test at `loadAlpha`. Default 1.5. */
  loadRatio?: number;
  /** Default 0.01. */
  loadAlpha?: number;
  /** Minutes with data each side needs for a minute-latency test. Default 3 before and 1 after. */
  minLatencyMinutes?: number;
}

export const VERIFY_DEFAULTS: Required<VerifyOptions> = {
  alpha: 0.01,
  watchMinutes: 10,
  minTraffic: 100,
  minRatio: 1.5,
  minLatencyRatio: 1.2,
  recentMinutes: 5,
  preExistingAlpha: 0.05,
  loadRatio: 1.5,
  loadAlpha: 0.01,
  minLatencyMinutes: 3,
};
