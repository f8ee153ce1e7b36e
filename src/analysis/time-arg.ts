// Time arguments as people type them: an ISO-8601 timestamp, epoch milliseconds, or a
// span back from `now` such as 90s, 15m, 2h or 7d.

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

export class TimeArgError extends Error {}

export function parseTimeArg(value: string, now: Date): Date {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!);
  if (/^\d{12,14}$/.test(v)) return new Date(Number(v));
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new TimeArgError(
    `"${value}" is not a time: use an ISO timestamp (2026-11-22T14:00:00Z), epoch ms, or an age like 15m, 2h, 7d`,
  );
}
