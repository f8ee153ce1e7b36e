// One scenario of the remediation bench, in a fresh example world: the demo's world with that
// scenario alone (its fault two minutes before the traffic phase ends, held), traffic resumed at
// the fault's level once the world is ready; then, over Orrery's HTTP API as a person would go:
// the alert on the storefront investigated, proposals made from the investigation (POST
// /api/proposals, the workflow `orrery propose` uses), the first one approved by the demo's
// approver tokens until it counts as approved, run (POST /api/proposals/:id/execute, on the
// demo's supervisor), and watched (GET /api/proposals/:id/outcome). The truth file is read by the
// bench only, to judge the proposal; the figures after the action come from the load driver.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type EndpointStats, type ScenarioName, endpointStats, memoryOutput, runDemo } from '../../src/demo/index.js';
import type { Investigation, Json, Proposal, ProposalOutcome } from '../../src/model/index.js';
import { type FixVerdict, describeAction, judgeFix } from './remediate-judge.js';
import {
  type EffectComparison,
  MEASURE_MS,
  RECOVERY_CONFIRM,
  RECOVERY_STEP_MS,
  RECOVERY_WINDOW_MS,
  type Recovery,
  SETTLE_MS,
  compareEffect,
  effectMet,
  recoveryOf,
  windowHealth,
} from './remediate-measure.js';
import { freePort } from './server-process.js';

const MINUTE = 60_000;
/** The alert's look-back, as the accuracy benches raise it. */
const ALERT_LOOK_BACK_MS = 15 * MINUTE;
/** Traffic runs again this long before the alert is investigated: the fault is seen at full traffic. */
const RESUME_MS = 30_000;
/** Recovery must come within this long of the action (the issue's target). */
export const RECOVERY_TARGET_S = 120;

export interface ScenarioOptions {
  scenario: ScenarioName;
  durationS: number;
  seed: number;
  /** The world's Orrery's watch window for deploys and proposal outcomes, in minutes. */
  watchMinutes: number;
  keep: boolean;
  log: (line: string) => void;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  /** The truth's right fix in words. */
  rightFix: string;
  proposals: Array<{ id: number; kind: string; what: string; tier: string }>;
  /** Why Orrery made nothing, when it did not. */
  notes: string[];
  /** The first proposal's judgement; null when there was none. */
  verdict: FixVerdict | null;
  approvals: { needed: number; given: string[]; approved: boolean };
  execution: { status: string; seconds: number | null; did: string[]; error: string | null } | null;
  /** The shoppers' figures per endpoint before the fault, and in the minute before the action. */
  baseline: EndpointStats[];
  beforeAction: EndpointStats[];
  /** Whether the fault showed in the minute before the action (some endpoint out of its baseline's bounds). */
  faultSeen: boolean;
  effect: EffectComparison[];
  simulationNote: string | null;
  recovery: Omit<Recovery, 'windows'> & { unhealthy: string[] };
  outcome: { verdict: string; summary: string; afterS: number | null } | null;
  hostLoad: { start: number; end: number };
  readyS: number;
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call<T>(api: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(300_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

export async function runScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const { scenario, log } = opts;
  const dir = mkdtempSync(join(os.tmpdir(), `orrery-remediate-${scenario}-`));
  const t0 = Date.now();
  const loadStart = os.loadavg()[0]!;
  const started = runDemo({
    scenarios: [scenario],
    durationS: opts.durationS,
    seed: opts.seed,
    dir,
    port: await freePort(),
    otlpPort: await freePort(),
    users: 400,
    accounts: 90,
    baseRps: 20,
    verifyWatchMinutes: opts.watchMinutes,
    out: memoryOutput(),
  });
  const r: ScenarioResult = {
    scenario,
    rightFix: '',
    proposals: [],
    notes: [],
    verdict: null,
    approvals: { needed: 0, given: [], approved: false },
    execution: null,
    baseline: [],
    beforeAction: [],
    faultSeen: false,
    effect: [],
    simulationNote: null,
    recovery: { atMs: null, afterS: null, unhealthy: [] },
    outcome: null,
    hostLoad: { start: loadStart, end: 0 },
    readyS: 0,
    error: null,
  };
  const world = await started.catch((err: Error) => {
    r.error = `the world did not start: ${err.message}`;
    log(`${scenario}: ${r.error}`);
    r.hostLoad.end = os.loadavg()[0]!;
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    return null;
  });
  if (!world) return r;
  r.readyS = Math.round((Date.now() - t0) / 1000);
  try {
    log(`${scenario}: world ready in ${r.readyS} s; traffic resumed at the fault's level`);
    const truth = world.truth.find((t) => t.scenario === scenario)!;
    if (!truth.rightFix) throw new Error(`the truth of ${scenario} states no right fix`);
    r.rightFix = truth.rightFix.text;
    world.drive();
    await sleep(RESUME_MS);

    // The on-call engineer's path: the alert, its investigation, the proposals made from it.
    const api = world.api;
    const now = Date.now();
    const since = new Date(Math.floor((now - ALERT_LOOK_BACK_MS) / MINUTE) * MINUTE).toISOString();
    const { investigation } = await call<{ investigation: Json<Investigation> }>(api, 'POST', '/api/investigations', {
      subject: { kind: 'alert', service: 'web', since },
    });
    log(`${scenario}: investigation ${investigation.id}; proposing`);
    const made = await call<{ proposals: Json<Proposal>[]; notes: string[] }>(api, 'POST', '/api/proposals', {
      from: 'investigation',
      id: investigation.id,
    });
    r.notes = made.notes;
    r.proposals = made.proposals.map((p) => ({
      id: p.id,
      kind: p.action.kind,
      what: describeAction(p.action),
      tier: p.risk.tier,
    }));
    const first = made.proposals[0];
    if (!first) {
      log(`${scenario}: no proposal (${made.notes.join('; ')})`);
      return r;
    }
    r.verdict = judgeFix(truth.rightFix, first.action);
    r.simulationNote = first.simulationNote;
    log(`${scenario}: proposal ${first.id}: ${r.verdict.why} (${r.verdict.right ? 'right' : 'WRONG'})`);

    // Approved by as many of the demo's approvers as its tier needs (the bench proposed anonymously: no proposer's vote).
    r.approvals.needed = first.approval.required;
    let p = first;
    for (const a of world.approvers) {
      if (p.status !== 'proposed') break;
      p = (await call<{ proposal: Json<Proposal> }>(api, 'POST', `/api/proposals/${p.id}/approve`, {}, a.token))
        .proposal;
      r.approvals.given.push(a.name);
    }
    r.approvals.approved = p.status === 'approved';
    if (!r.approvals.approved)
      throw new Error(`proposal ${p.id} is ${p.status} after ${r.approvals.given.length} approvals`);

    const beforeMs = Date.now();
    r.baseline = endpointStats(world.liveObservations(), Date.parse(truth.startedAt) + 20_000, Date.parse(truth.onset));
    r.beforeAction = endpointStats(world.liveObservations(), beforeMs - MINUTE, beforeMs);
    const actionMs = Date.now();
    const done = (await call<{ proposal: Json<Proposal> }>(api, 'POST', `/api/proposals/${p.id}/execute`, {})).proposal;
    const endMs = Date.now();
    r.execution = {
      status: done.status,
      seconds: (endMs - actionMs) / 1000,
      did: done.execution?.report?.did ?? [],
      error: done.execution?.error ?? null,
    };
    log(`${scenario}: executed in ${r.execution.seconds?.toFixed(1)} s (${done.status}); watching`);

    // The shoppers after the action, and Orrery's own outcome of it, until both are in.
    const measureTo = endMs + SETTLE_MS + MEASURE_MS;
    const recoveryTo =
      actionMs + (RECOVERY_TARGET_S + 30) * 1000 + RECOVERY_STEP_MS * (RECOVERY_CONFIRM - 1) + RECOVERY_WINDOW_MS;
    const outcomeTo = endMs + (opts.watchMinutes + 1.5) * MINUTE;
    for (;;) {
      if (
        Date.now() >= Math.max(measureTo, recoveryTo) &&
        (r.outcome?.verdict !== 'watching' || Date.now() >= outcomeTo)
      )
        break;
      await sleep(15_000);
      if (done.status === 'executed' && (r.outcome === null || r.outcome.verdict === 'watching')) {
        try {
          const o = (await call<{ outcome: Json<ProposalOutcome> }>(api, 'GET', `/api/proposals/${p.id}/outcome`))
            .outcome;
          r.outcome = {
            verdict: o.verdict,
            summary: o.summary,
            afterS: o.verdict === 'watching' ? null : Math.round((Date.now() - endMs) / 1000),
          };
        } catch (err) {
          r.outcome = { verdict: 'unavailable', summary: (err as Error).message, afterS: null };
        }
      }
    }
    const obs = world.liveObservations();
    const rec = recoveryOf(obs, r.baseline, actionMs, Math.min(Date.now(), recoveryTo));
    r.recovery = {
      atMs: rec.atMs,
      afterS: rec.afterS,
      unhealthy: rec.atMs === null ? (rec.windows.at(-1)?.why ?? []) : [],
    };
    r.faultSeen = !windowHealth(obs, r.baseline, beforeMs - RECOVERY_WINDOW_MS).healthy;
    if (first.simulation) r.effect = compareEffect(first.simulation, obs, endMs + SETTLE_MS, measureTo);
    log(
      `${scenario}: recovery ${r.recovery.afterS === null ? 'not seen' : `${r.recovery.afterS} s`}; effect ${effectMet(r.effect) ? 'within' : 'not within'} tolerance; Orrery's outcome ${r.outcome?.verdict ?? 'none'}`,
    );
  } catch (err) {
    r.error = (err as Error).message;
    log(`${scenario}: ${r.error}`);
  } finally {
    r.hostLoad.end = os.loadavg()[0]!;
    await world.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else log(`${scenario}: kept ${dir}`);
  }
  return r;
}
