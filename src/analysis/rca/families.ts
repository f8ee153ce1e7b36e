// Signal kinds grouped into families, and the symptom rules between families: which anomaly of
// a callee can explain which of its caller's (so the caller is a symptom), and which of a
// callee's a caller's extra calls can cause.
import type { SignalKind } from './types.js';

/** A service scores the best signal of each family; traffic (null) is never scored. */
export const FAMILY: Record<SignalKind, string | null> = {
  latency: 'latency',
  'edge-latency': 'latency',
  'error-rate': 'errors',
  'edge-errors': 'errors',
  'error-group': 'errors',
  'error-pattern': 'warn-logs',
  'new-error-pattern': 'new-warn-logs',
  pattern: 'logs',
  metric: 'resource',
  'edge-fanout': 'fanout',
  'log-flow': 'flow',
  'self-time': 'self-time',
  'edge-time': 'network',
  'edge-unanswered': 'network',
  traffic: null,
};

/** What carried a finding, in words, per family (for hints). */
export const FAMILY_WORDS: Record<string, string> = {
  latency: 'latency',
  errors: 'errors',
  'warn-logs': 'log patterns',
  'new-warn-logs': 'log patterns',
  logs: 'log patterns',
  flow: 'log patterns',
  resource: 'gauges',
  fanout: 'fan-out',
  'self-time': 'self time',
  network: 'edge time',
};

/** Signals about a caller→callee edge rather than a service's own behaviour. */
export const EDGE_KINDS: ReadonlySet<SignalKind> = new Set<SignalKind>(['edge-latency', 'edge-errors', 'edge-fanout']);

/**
 * A caller is a symptom of a direct callee when the callee is anomalous, the caller→callee
 * edge itself changed (latency or errors), and the callee's anomaly can explain every family
 * of the caller's. The families that an anomaly of the callee can cause in its caller: slowness makes callers
 * slow (and can make them log timeouts), errors make callers fail and log, a changed response
 * changes what the caller logs. Resource use is the service's own, and so are a caller's own
 * self time and the own time of its edges: nothing downstream explains them. A callee whose
 * self time rose, or whose edges' own time (the network to it) rose, makes its callers wait.
 */
export const EXPLAINS: Record<string, readonly string[]> = {
  latency: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
  'self-time': ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
  network: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
  // A failing callee can make its callers retry: more calls per request.
  errors: ['errors', 'warn-logs', 'new-warn-logs', 'logs', 'latency', 'fanout', 'flow'],
  'warn-logs': ['errors', 'warn-logs', 'logs', 'flow'],
  'new-warn-logs': ['errors', 'warn-logs', 'logs', 'flow'],
  logs: ['logs', 'warn-logs', 'flow'],
  // A callee whose own code path changed returns something else: its callers log and branch otherwise.
  flow: ['logs', 'warn-logs', 'new-warn-logs', 'errors', 'flow'],
  resource: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
};

/** What more calls from a caller can do to a callee: slow it, make it fail, saturate it, make it warn. */
export const LOAD_EXPLAINS: readonly string[] = ['latency', 'errors', 'warn-logs', 'logs', 'resource'];
