// Reads service settings from the environment once at start-up; a bad value stops the
// process with the variable's name rather than surfacing later as NaN.
export function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function urlEnv(name) {
  const raw = process.env[name];
  if (!raw) throw new Error(`${name} is not set`);
  return raw.replace(/\/+$/, '');
}
