// How numbers, times and identities read in the UI.

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Math.abs(n) >= 1000
    ? n.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : Number.isInteger(n)
      ? String(n)
      : n.toPrecision(3);
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x >= 10 ? x.toFixed(0) : x.toFixed(1)} ms`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}

/** "5 min ago", "3 h ago", else the date. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return time(iso);
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return time(iso).slice(0, 10);
}

/** A stored identity: an email's keyed hash short (`email:ab2d3374`), anything else as written. */
export function who(v: string | null | undefined): string {
  if (!v) return '–';
  return v.startsWith('h:') ? `email:${v.slice(2, 10)}` : v;
}

export function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '–';
}

/** A predicted figure's bound or estimate in milliseconds; null is a queue that grows without bound. */
export function msOrInf(x: number | null): string {
  return x === null ? '∞' : ms(x);
}

/** A share with a decimal below 10% (predicted error rates are often small). */
export function share(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
}

/** A load factor: `2.40×`. */
export function factor(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${x.toFixed(x < 10 ? 2 : 1)}×`;
}

/** A figure as `estimate (p10–p90)`, or the estimate alone when the interval is a point. */
export function figure(
  f: { value: number | null; p10: number | null; p90: number | null },
  show: (x: number | null) => string,
): string {
  const v = show(f.value);
  return f.p10 === f.value && f.p90 === f.value ? v : `${v} (${show(f.p10)}–${show(f.p90)})`;
}
