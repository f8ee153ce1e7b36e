// CPU limits for the shop's processes, enforced the way the kernel's CFS bandwidth control
// enforces a container's `resources.limits.cpu`: in every 100 ms period a process may run
// (limit / 1000) × 100 ms; once it has used that, it is stopped (SIGSTOP) until the next
// period begins (SIGCONT). What it overran by is owed from the next period. Like `cpulimit`,
// it needs no privileges and works on any Linux host; it reads the process's main-thread
// run time from /proc/<pid>/schedstat (nanoseconds), the thread that runs the JavaScript.
//
// It runs as its own small process, so that its timers are not late when the demo's own
// event loop (the load driver and the balancers) is busy. When the demo goes away (its IPC
// channel closes, or it is told to stop) it continues every process it stopped before exiting.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { EXIT_WITH_PARENT } from './paths.js';

/** The CFS period Kubernetes uses. */
export const CPU_PERIOD_MS = 100;

/** How often one process was held back, since it was first limited. */
export interface ThrottleStats {
  pid: number;
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
}

type Request = { op: 'limit'; pid: number; millicores: number | null } | { op: 'stats'; id: number };
type Reply = { op: 'stats'; id: number; stats: ThrottleStats[] };

const SOURCE = `
import { readFileSync } from 'node:fs';
const PERIOD = ${CPU_PERIOD_MS};
const watched = new Map();
const runMs = (pid) => {
  const t = readFileSync('/proc/' + pid + '/schedstat', 'utf8');
  return Number(t.slice(0, t.indexOf(' '))) / 1e6;
};
const signal = (pid, sig) => { try { process.kill(pid, sig); return true; } catch { return false; } };
function resume(pid, w) {
  clearTimeout(w.timer);
  w.timer = null;
  if (w.stopped) {
    signal(pid, 'SIGCONT');
    w.stopped = false;
    w.throttledMs += performance.now() - w.stoppedAt;
  }
}
function hold(pid, w) {
  if (!signal(pid, 'SIGSTOP')) return forget(pid);
  w.stopped = true;
  w.stoppedAt = performance.now();
  w.throttledPeriods++;
}
function forget(pid) {
  const w = watched.get(pid);
  if (!w) return;
  resume(pid, w);
  watched.delete(pid);
}
function check(pid) {
  const w = watched.get(pid);
  if (!w) return;
  let used;
  try { used = runMs(pid) - w.start; } catch { return forget(pid); }
  const left = w.budget - used;
  if (left <= 0.25) {
    w.debt = Math.min(w.quota, Math.max(0, -left));
    hold(pid, w);
  } else {
    w.timer = setTimeout(check, Math.max(1, left), pid);
  }
}
function boundary() {
  for (const [pid, w] of watched) {
    resume(pid, w);
    w.periods++;
    try { w.start = runMs(pid); } catch { forget(pid); continue; }
    w.budget = w.quota - w.debt;
    w.debt = 0;
    if (w.budget <= 0) {
      w.debt = -w.budget;
      hold(pid, w);
    } else if (w.budget < PERIOD) {
      w.timer = setTimeout(check, Math.max(1, w.budget), pid);
    }
  }
}
setInterval(boundary, PERIOD);
process.on('message', (m) => {
  if (m?.op === 'limit' && Number.isInteger(m.pid)) {
    if (m.millicores === null || !(m.millicores > 0)) return forget(m.pid);
    const quota = (m.millicores / 1000) * PERIOD;
    const w = watched.get(m.pid);
    if (w) w.quota = quota;
    else watched.set(m.pid, { quota, start: 0, budget: quota, debt: 0, stopped: false, stoppedAt: 0, timer: null, periods: 0, throttledPeriods: 0, throttledMs: 0 });
  } else if (m?.op === 'stats') {
    const stats = [...watched].map(([pid, w]) => ({ pid, periods: w.periods, throttledPeriods: w.throttledPeriods, throttledMs: Math.round(w.throttledMs) }));
    process.send?.({ op: 'stats', id: m.id, stats });
  }
});
const releaseAll = () => { for (const pid of [...watched.keys()]) forget(pid); };
const quit = () => { releaseAll(); process.exit(0); };
process.on('disconnect', quit);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
process.on('exit', releaseAll);
`;

/** Whether this host lets the governor read run times (Linux /proc with schedstat). */
export function cpuLimitsSupported(): boolean {
  return existsSync(`/proc/${process.pid}/schedstat`);
}

export class CpuGovernor {
  private readonly pending = new Map<number, (s: ThrottleStats[]) => void>();
  private nextId = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      if (m?.op !== 'stats') return;
      this.pending.get(m.id)?.(m.stats);
      this.pending.delete(m.id);
    });
  }

  /** Starts the governor process, or returns null where CPU limits cannot be enforced (no /proc schedstat). */
  static start(): CpuGovernor | null {
    if (!cpuLimitsSupported()) return null;
    const child = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, '--input-type=module', '-e', SOURCE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.channel?.unref();
    try {
      // Ahead of the processes it limits, so it is on time when the host is busy (needs privileges; optional).
      if (child.pid) os.setPriority(child.pid, -5);
    } catch {
      // not permitted: it runs at normal priority
    }
    return new CpuGovernor(child);
  }

  /** Limits `pid` to `millicores` of CPU (null: no limit; a stopped process is continued). */
  limit(pid: number, millicores: number | null): void {
    this.send({ op: 'limit', pid, millicores });
  }

  /** Throttling counts of every limited process. */
  stats(timeoutMs = 2000): Promise<ThrottleStats[]> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve([]);
      }, timeoutMs);
      this.pending.set(id, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.send({ op: 'stats', id });
    });
  }

  private send(m: Request): void {
    if (this.child.connected) this.child.send(m, () => {});
  }

  /** Continues every process it stopped and exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
