// Deploy verification (deploy-verify@2): a deploy's verdict after it went out, from sequential
// tests of the deployed version against the version before it over the minutes before the
// deploy, with the findings and evidence behind it and the controls it took into account.
import type { Evidence } from './findings.js';

/** `watching` until the tests decide or the watch window ends. */
export type DeployVerdict = 'watching' | 'healthy' | 'regressed' | 'inconclusive';

/** The families of sequential tests; the false-alarm level is split equally over them. */
export const VERIFY_FAMILIES = ['error-rate', 'error-groups', 'log-patterns', 'latency', 'self-time', 'edges'] as const;
export type VerifyFamily = (typeof VERIFY_FAMILIES)[number];

/**
 * What a verification finding says. `regression`: a test passed at its level (the deploy's);
 * `confounded`: it passed, but a load change or another service's deploy explains it;
 * `pre_existing`: it passed, but the same change was already there before the deploy;
 * `new_error_group` / `new_log_pattern`: seen only after the deploy on the deployed version
 * (a regression as well when its test passed); `load_change`, `other_deploy`: the controls;
 * `traffic`: too little traffic to conclude.
 */
export type VerifyFindingKind =
  | 'regression'
  | 'confounded'
  | 'pre_existing'
  | 'new_error_group'
  | 'new_log_pattern'
  | 'load_change'
  | 'other_deploy'
  | 'traffic';

/** One sequential test at the look that decided (or the latest look). */
export interface VerifyTest {
  family: VerifyFamily;
  /** What was measured: 'error share', 'errors per request', 'p95 ms (minute)', 'calls per request', … */
  measure: string;
  /** The endpoint ('*' for the service), error fingerprint, pattern key, or callee. */
  key: string;
  label: string | null;
  /** The measure before the deploy (the previous version) and after it (the deployed version). */
  before: number;
  after: number;
  /** The test that was run, in words. */
  test: string;
  /** One-sided p (a rise) at this look. */
  p: number;
  /** The level this test had to reach at one look: its family's share of alpha over its tests and the looks. */
  level: number;
  passed: boolean;
}

export interface VerifyFinding {
  /** V1, V2, … */
  id: string;
  kind: VerifyFindingKind;
  title: string;
  /** Why: the test, the rule or the control behind it. */
  hint: string;
  confidence: number;
  evidence: Evidence[];
  test: VerifyTest | null;
}

export interface VerifyControls {
  /** The system's entry load (requests per minute), before and after; null when no entry requests were seen. */
  load: { before: number; after: number; ratio: number; p: number; changed: boolean } | null;
  /** Other services' deploys from the baseline's start to the latest look. */
  otherDeploys: Array<{
    id: number;
    service: string;
    version: string;
    deployedAt: string;
    /** 'callee': this service calls it (directly or through others); else 'other'. */
    relation: 'callee' | 'other';
    /** Its own service's errors or latency rose across its deploy (so it can explain this service's). */
    changed: boolean;
  }>;
  /** Signals that rose before the deploy and were therefore not counted (their test keys). */
  preExisting: string[];
}

export interface DeployVerification {
  algorithm: string;
  deployId: number;
  service: string;
  environment: string;
  version: string;
  /** The version the baseline ran (the most requests among the other versions), null when unknown. */
  previousVersion: string | null;
  deployedAt: string;
  verdict: DeployVerdict;
  /** 1 when regressed, else 0: for tools that read a number (an Argo Rollouts web metric's jsonPath). */
  regressed: 0 | 1;
  /** 1 once the verdict is decided (not `watching`). */
  decided: 0 | 1;
  /** The end of the minute whose data decided the verdict; null while watching. */
  decidedAt: string | null;
  /** When this answer was computed (or, for a stored verdict, when it was stored). */
  evaluatedAt: string;
  /** The verdict in one sentence. */
  summary: string;
  watch: {
    minutes: number;
    /** The end of the watch window: the verdict is decided by then. */
    endsAt: string;
    /** Minutes after the deploy with complete data so far (looks taken), at most `minutes`. */
    looks: number;
  };
  baseline: { since: string; until: string; minutes: number };
  after: { since: string; until: string };
  /** Requests of the service before (previous version) and after (deployed version). */
  traffic: { before: number; after: number; minimum: number };
  /** The overall false-alarm level and how it was split. */
  alpha: { overall: number; perFamily: number; families: number };
  findings: VerifyFinding[];
  controls: VerifyControls;
  /** Every test of the deciding (or latest) look, strongest first. */
  tests: VerifyTest[];
  /** The triage problem a regressed deploy opened or joined; null otherwise. */
  problemId: number | null;
}

/** A deploy's stored verdict, as listing deploys shows it. */
export interface DeployVerdictSummary {
  verdict: Exclude<DeployVerdict, 'watching'>;
  decidedAt: string;
  algorithm: string;
  problemId: number | null;
}
