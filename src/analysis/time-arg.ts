// Time arguments as people type them: an ISO-8601 timestamp, epoch milliseconds, or a
// span back from `now` such as 90s, 15m, 2h or 7d; and the range of times Orrery takes.

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/**
 * The times Orrery accepts from people and imports: 1970-01-01 to the end of 9999. Telemetry
 * starts at the epoch, PostgreSQL's timestamptz holds the whole range, and ISO-8601 writes
 * it with four-digit years; outside it a time is a typo or hostile (year 0, 1e20 ms).
 */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** True when `ms` is a finite epoch-ms time inside MIN_TIME_MS..MAX_TIME_MS. */
export function isStorableTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS;
}

export class TimeArgError extends Error {}

export function parseTimeArg(value: string, now: Date): Date {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  let d: Date | null = null;
  if (rel) d = new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!);
  else if (/^\d{12,14}$/.test(v)) d = new Date(Number(v));
  else if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const iso = new Date(v);
    if (!Number.isNaN(iso.getTime())) d = iso;
  }
  if (d === null) {
    throw new TimeArgError(
      `"${value}" is not a time: use an ISO timestamp (2026-11-22T14:00:00Z), epoch ms, or an age like 15m, 2h, 7d`,
    );
  }
  if (!isStorableTime(d.getTime())) {
    throw new TimeArgError(`"${value}" is outside the times Orrery takes, 1970-01-01 to 9999-12-31`);
  }
  return d;
}
