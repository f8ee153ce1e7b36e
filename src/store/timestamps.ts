// Timestamps read back from rows, as ISO-8601 text (UTC, milliseconds). Both backends hand a
// timestamptz column back as a Date and SQL NULL as null (PGlite and node-postgres alike);
// text is accepted too, for times that come back inside jsonb (json_agg of a timestamptz).

/** `v`, a time the row always holds, as ISO-8601. Throws RangeError on text that is no time. */
export function iso(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}

/** `v` as ISO-8601, or null for SQL NULL (null or undefined). */
export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}
