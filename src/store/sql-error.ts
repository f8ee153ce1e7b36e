// Which store errors are about the data (retrying the same rows fails again) and which are
// about the store (down, restarting, out of connections: the same rows may succeed later).

/** SQLSTATE classes that a given row causes, whatever the state of the server. */
const DATA_CLASSES: Record<string, string> = {
  '22': 'data_exception',
  '23': 'integrity_constraint_violation',
  '54': 'program_limit_exceeded',
};

/** The SQLSTATE of a PostgreSQL or PGlite error (both carry it as `code`), or null. */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** The class name of an error the rows themselves cause (e.g. `data_exception`), or null for any other. */
export function dataErrorClass(err: unknown): string | null {
  const state = sqlState(err);
  return state ? (DATA_CLASSES[state.slice(0, 2)] ?? null) : null;
}
