// The fault agent every shop process preloads (`node --import <FAULT_AGENT> --import
// lib/telemetry.js …`), the way a chaos tool's in-process agent is attached to a service
// without changing its code or redeploying it. The supervisor sends it commands over the
// child's IPC channel; today one: `{ fault: 'cpu', ms }`, after which every incoming request
// (but /healthz) first does `ms` milliseconds of CPU work, in short slices that yield to the
// event loop, so concurrent requests share the CPU as they would on a saturated pod.
//
// It wraps http.Server's `emit` before the OpenTelemetry instrumentation does (it is
// imported first), so the instrumentation's server span opens before the work starts: the
// time shows as the service's own (self) time, not its callers' network time.

/** The agent's command message. */
export interface FaultCommand {
  fault: 'cpu';
  /** CPU milliseconds per request; 0 stops the fault. */
  ms: number;
}

const SOURCE = `
import http from 'node:http';
import { performance } from 'node:perf_hooks';
const SLICE_MS = 4;
let cpuMs = 0;
process.on('message', (m) => {
  if (m && m.fault === 'cpu' && Number.isFinite(m.ms)) cpuMs = Math.max(0, m.ms);
});
process.channel?.unref();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, ...rest) {
  if (event !== 'request' || cpuMs <= 0 || req.url === '/healthz') return emit.call(this, event, req, ...rest);
  let left = cpuMs;
  const work = () => {
    const until = performance.now() + Math.min(SLICE_MS, left);
    while (performance.now() < until);
    left -= SLICE_MS;
    if (left > 0) setImmediate(work);
    else emit.call(this, event, req, ...rest);
  };
  work();
  return true;
};
`;

export const FAULT_AGENT = `data:text/javascript,${encodeURIComponent(SOURCE)}`;
