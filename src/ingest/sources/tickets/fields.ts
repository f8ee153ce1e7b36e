// Reading fields out of foreign payloads: typed getters that name the missing field in
// their error, the date forms ticket systems write, statuses folded to open/pending/closed.
import { isStorableTime } from '../../../analysis/index.js';
import type { TicketStatus } from '../../../model/index.js';
import { type Headers, TicketFormatError } from './format.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The payload itself must be a JSON object. */
export function rootObject(body: unknown, what: string): Obj {
  if (!isObj(body)) throw new TicketFormatError(`the ${what} payload must be a JSON object`);
  return body;
}

export function get(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const key of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function asText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A string (or number) that must be there: `label` is the field's path as the sender names it. */
export function reqString(o: unknown, path: string, label = path): string {
  const v = asText(get(o, path));
  if (v === null) throw new TicketFormatError(`missing required field "${label}"`, label);
  return v;
}

export function optString(o: unknown, path: string): string | null {
  return asText(get(o, path));
}

export function reqObject(o: unknown, path: string, label = path): Obj {
  const v = get(o, path);
  if (!isObj(v)) throw new TicketFormatError(`missing required field "${label}" (an object)`, label);
  return v;
}

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/**
 * The date forms ticket systems write, as a Date: ISO-8601, "2026-11-22 14:05:00 +0100",
 * Jira's CSV "22/Nov/26 2:05 PM", Zendesk's "November 22, 2026 14:05", epoch seconds or
 * milliseconds. Forms without a zone are
 * read as UTC. Null when the value is not a date, or one outside 1970..9999 (isStorableTime).
 */
export function parseDate(v: unknown): Date | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v < 1e11 ? v * 1000 : v;
    return isStorableTime(ms) ? new Date(ms) : null;
  }
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d{9,13}$/.test(s)) return parseDate(Number(s));
  let m =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i.exec(
      s,
    );
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m;
    const ms = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(sec),
      Math.round(Number(frac || 0) * 1000),
    );
    return valid(ms - offsetMinutes(tz) * 60_000, Number(y), Number(mo), Number(d));
  }
  m = /^(\d{1,2})\/([A-Za-z]{3})[a-z]*\/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/.exec(s);
  if (m) {
    const [, d, mon, yy, h = '0', mi = '0', sec = '0', ampm] = m;
    const mo = MONTHS[mon!.toLowerCase()];
    if (!mo) return null;
    let hour = Number(h);
    if (ampm) hour = (hour % 12) + (/p/i.test(ampm) ? 12 : 0);
    const year = yy!.length === 2 ? 2000 + Number(yy) : Number(yy);
    return valid(Date.UTC(year, mo - 1, Number(d), hour, Number(mi), Number(sec)), year, mo, Number(d));
  }
  // Zendesk placeholders such as {{ticket.created_at}}: "November 22, 2026 14:05".
  m = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})(?:,? (\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/.exec(s);
  if (m) {
    const [, mon, d, y, h = '0', mi = '0', sec = '0', ampm] = m;
    const mo = MONTHS[mon!.toLowerCase()];
    if (!mo) return null;
    let hour = Number(h);
    if (ampm) hour = (hour % 12) + (/p/i.test(ampm) ? 12 : 0);
    return valid(Date.UTC(Number(y), mo - 1, Number(d), hour, Number(mi), Number(sec)), Number(y), mo, Number(d));
  }
  return null;
}

/** Null for a calendar day that does not exist (Feb 30 would otherwise roll over to March). */
function valid(ms: number, y: number, mo: number, d: number): Date | null {
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (!isStorableTime(ms) || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  return new Date(ms);
}

function offsetMinutes(tz: string | undefined): number {
  if (!tz || /^(z|utc|gmt)$/i.test(tz)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** An optional date field: ISO string, or null when absent; a value that is not a date is an error naming the field. */
export function optDate(o: unknown, path: string, label = path): string | null {
  const v = get(o, path);
  if (v === undefined || v === null || v === '') return null;
  const d = parseDate(v);
  if (!d) throw new TicketFormatError(`field "${label}": ${JSON.stringify(v).slice(0, 60)} is not a date`, label);
  return d.toISOString();
}

const CLOSED = new Set([
  'closed',
  'close',
  'done',
  'resolved',
  'solved',
  'complete',
  'completed',
  'canceled',
  'cancelled',
  'duplicate',
  "won't fix",
  'wontfix',
  "won't do",
  'invalid',
  'rejected',
  'archived',
  'deleted',
  'fixed',
  'released',
  'shipped',
  'not planned',
]);
const PENDING = new Set([
  'pending',
  'in progress',
  'started',
  'hold',
  'on hold',
  'waiting',
  'waiting for customer',
  'waiting for support',
  'awaiting customer',
  'in review',
  'review',
  'code review',
  'blocked',
  'investigating',
  'in development',
  'in qa',
  'testing',
]);

/** A source's status word folded to open/pending/closed; anything unknown is open. */
export function normalizeStatus(raw: string | null | undefined): TicketStatus {
  if (!raw) return 'open';
  const k = raw.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  if (CLOSED.has(k)) return 'closed';
  if (PENDING.has(k)) return 'pending';
  return 'open';
}

/** Labels and tags as the systems send them: strings, `{name}` objects, or one comma- or space-separated string. */
export function labelList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/[,\s]+/).filter(Boolean);
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v.flat()) {
    if (typeof x === 'string' && x.trim())
      out.push(
        ...(x.includes(',')
          ? x
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [x.trim()]),
      );
    else if (isObj(x) && typeof x.name === 'string') out.push(x.name);
  }
  return [...new Set(out)];
}

/** Ids that may arrive as a string, a number or a list of them. */
export function idList(v: unknown): string[] {
  const arr = Array.isArray(v) ? v : [v];
  return arr
    .map(asText)
    .filter((s): s is string => s !== null)
    .map((s) => s.trim());
}
