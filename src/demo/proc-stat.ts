// CPU time from Linux /proc: one process's (all its threads, user + system), and the host's
// busy and total time, for the autoscaler, CPU-limit reports and the simulation bench.
// Everything returns null where /proc is not there.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's CPU times; 100 on every Linux architecture Node runs on. */
const TICKS_PER_S = 100;

/** CPU milliseconds a process has used (user + system, all threads), or null when it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are space-separated.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_S : null;
  } catch {
    return null;
  }
}

export interface HostCpuTimes {
  /** Milliseconds of CPU time, summed over every CPU. */
  busyMs: number;
  totalMs: number;
  cpus: number;
}

/** The host's CPU time so far (busy = everything but idle and iowait), or null without /proc/stat. */
export function hostCpuTimes(): HostCpuTimes | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const all = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const total = all.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (all[3] ?? 0) + (all[4] ?? 0);
    const cpus = lines.filter((l) => /^cpu\d+ /.test(l)).length;
    return { busyMs: ((total - idle) * 1000) / TICKS_PER_S, totalMs: (total * 1000) / TICKS_PER_S, cpus };
  } catch {
    return null;
  }
}

/** Busy share (0–1) of the host's CPU between two readings; null when either is missing. */
export function busyShare(from: HostCpuTimes | null, to: HostCpuTimes | null): number | null {
  if (!from || !to || to.totalMs <= from.totalMs) return null;
  return (to.busyMs - from.busyMs) / (to.totalMs - from.totalMs);
}
