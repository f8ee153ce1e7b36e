// Kubernetes resource quantities ("500m", "1.5", "512Mi", "1G", "129e6") as numbers: CPU in
// millicores and memory in bytes, the units a capacity model adds up.

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity's value in base units, or null when it is not a Kubernetes quantity. */
export function parseQuantity(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = QUANTITY.exec(v.trim());
  if (!m) return null;
  const base = Number(m[1]);
  if (m[2]) return Number(`${m[1]}${m[2]}`);
  return m[3] ? base * SUFFIX[m[3]]! : base;
}

/** CPU in millicores, rounded up as Kubernetes does ("100u" is 1m); null when unreadable. */
export function cpuMillicores(v: unknown): number | null {
  const cores = parseQuantity(v);
  if (cores === null || cores < 0) return null;
  // Round the float noise of e.g. 0.1 * 1000 before rounding up.
  return Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Memory in bytes, rounded up to a whole byte; null when unreadable. */
export function memoryBytes(v: unknown): number | null {
  const bytes = parseQuantity(v);
  if (bytes === null || bytes < 0) return null;
  return Math.ceil(Math.round(bytes * 1e3) / 1e3);
}
