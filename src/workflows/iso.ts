// Timestamps the workflows hand to the API: a Date the store read, or null when it has none.

/** `d` as ISO-8601 (UTC, milliseconds), or null. */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
