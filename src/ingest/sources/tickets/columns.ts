// Reading export records by column name: CSV headers and JSON keys differ in case and
// separators between tools ("Created at", "created_at", "createdAt"), and CSV exports
// repeat some columns ("Comment", "Labels").
import { type Obj, parseDate } from './fields.js';
import { TicketFormatError } from './format.js';

/** "Created At", "created_at" and "createdAt" all become "created at". */
export function columnKey(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[\s_.-]+/g, ' ')
    .trim();
}

/** A record whose fields can be read by any of several names, case- and separator-insensitively. */
export class Columns {
  private readonly byKey = new Map<string, unknown>();
  constructor(record: Obj) {
    for (const [k, v] of Object.entries(record)) {
      const key = columnKey(k);
      if (!this.byKey.has(key)) this.byKey.set(key, v);
    }
  }
  raw(...names: string[]): unknown {
    for (const n of names) {
      const v = this.byKey.get(n);
      if (v !== undefined && v !== null && v !== '') return v;
    }
    return undefined;
  }
  text(...names: string[]): string | null {
    const v = this.raw(...names);
    const first = Array.isArray(v) ? v.find((x) => typeof x === 'string' && x.trim()) : v;
    if (typeof first === 'number') return String(first);
    return typeof first === 'string' && first.trim() ? first.trim() : null;
  }
  /** Every non-empty value of a column that repeats (CSV exports repeat "Comment" and "Labels"). */
  all(...names: string[]): string[] {
    const v = this.raw(...names);
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  }
  /** `label` is the column as the export names it ("Issue key"); `names` are the keys it may appear under. */
  required(label: string, ...names: string[]): string {
    const v = this.text(...names);
    if (v === null) {
      const others = names.filter((n) => n !== columnKey(label));
      const alt = others.length ? ` (or ${others.map((n) => `"${n}"`).join(', ')})` : '';
      throw new TicketFormatError(`missing required field "${label}"${alt}`, label);
    }
    return v;
  }
  date(label: string, ...names: string[]): string | null {
    const v = this.raw(...names);
    if (v === undefined) return null;
    const d = parseDate(Array.isArray(v) ? v[0] : v);
    if (!d) throw new TicketFormatError(`field "${label}": ${JSON.stringify(v).slice(0, 60)} is not a date`, label);
    return d.toISOString();
  }
}
