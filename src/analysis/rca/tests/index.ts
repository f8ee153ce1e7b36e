// Every test of rca, one file per family of signals; this file runs them in a fixed order.
// The order of the drafts is part of the result: Benjamini–Hochberg breaks ties by it, and
// weakCandidates keeps a service's first best test. A new family is one more file here and
// one more step in testSignals (appended, so earlier drafts keep their places).
import type { FlowRow, RcaInput, SignalKind } from '../types.js';
import type { Draft } from './common.js';
import { FLOW_TESTS, flowDrafts } from './flow.js';
import { GAUGE_TESTS, gaugeDrafts } from './gauges.js';
import { LOG_TESTS, logDrafts } from './logs.js';
import { DEFAULT_MIN_EFFECT, EDGE_TESTS, RED_TESTS, edgeDrafts, redDrafts } from './red.js';
import { SPAN_TESTS, spanDrafts } from './spans.js';

export { statementRows } from './logs.js';
export { signal } from './common.js';
export type { Draft } from './common.js';

/** The test behind each signal kind, as a signal's `test` names it (before its qualifiers). */
export const TESTS = {
  ...RED_TESTS,
  ...EDGE_TESTS,
  ...LOG_TESTS,
  ...FLOW_TESTS,
  ...GAUGE_TESTS,
  ...SPAN_TESTS,
} as const satisfies Record<SignalKind, string>;

/** Every test of an input, before the ranking (rankTested); opaque. */
export interface RcaTests {
  readonly input: RcaInput;
  readonly drafts: readonly Draft[];
  /** Failing caller→callee links with no baseline for the edge or its caller (see edgeDrafts). */
  readonly unbaselined: ReadonlySet<string>;
  /** The smallest latency effect the tests took (so parts of the window are tested alike). */
  readonly minEffect: number;
}

/**
 * Runs the tests of rankRootCauses, to rank them with rankTested (and add flows with addFlowTests
 * in between). In this order: RED per service and endpoint; logs and flow against the recent
 * baseline; logs and flow against the known-good reference (when given); edges; gauges; self
 * time and edge own time from the span trees (when given).
 */
export function testSignals(input: RcaInput, options: { minEffect?: number } = {}): RcaTests {
  const minEffect = options.minEffect ?? DEFAULT_MIN_EFFECT;
  const drafts: Draft[] = [];
  const svc = redDrafts(input, drafts, { minEffect });
  logDrafts(input, 'baseline', drafts);
  flowDrafts(input, 'baseline', drafts);
  if ((input.reference ?? []).length > 0) {
    logDrafts(input, 'reference', drafts);
    flowDrafts(input, 'reference', drafts);
  }
  const unbaselined = edgeDrafts(input, drafts, { svc, minEffect });
  gaugeDrafts(input, drafts);
  spanDrafts(input, drafts, { minEffect });
  return { input, drafts, unbaselined, minEffect };
}

/**
 * The tests with the log-flow tests of `flows` added (for tests run without flows): the same as
 * testing the input with those flows, without testing everything else again. The flow drafts
 * come last, after the gauges, not where testSignals would have put them.
 */
export function addFlowTests(tests: RcaTests, flows: readonly FlowRow[]): RcaTests {
  const input: RcaInput = { ...tests.input, flows: [...(tests.input.flows ?? []), ...flows] };
  const extra: Draft[] = [];
  const only: RcaInput = { ...input, flows };
  flowDrafts(only, 'baseline', extra);
  if ((input.reference ?? []).length > 0) flowDrafts(only, 'reference', extra);
  return { input, drafts: [...tests.drafts, ...extra], unbaselined: tests.unbaselined, minEffect: tests.minEffect };
}
