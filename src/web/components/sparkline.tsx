// A small inline trend line (SVG), with the numbers in its accessible name.
/** Longest stretch drawn: a day of minutes is drawn from a little before its first event. */
const MAX_POINTS = 60;

export function Sparkline({
  series: all,
  label,
  width = 96,
  height = 22,
}: {
  series: readonly number[];
  label: string;
  width?: number;
  height?: number;
}) {
  const first = all.findIndex((v) => v > 0);
  const series =
    all.length > MAX_POINTS
      ? all.slice(Math.max(0, Math.min(first < 0 ? all.length : first - 5, all.length - MAX_POINTS)))
      : all;
  if (series.length === 0) return <span className="muted">–</span>;
  const max = Math.max(1, ...series);
  const step = series.length > 1 ? width / (series.length - 1) : width;
  const points = series
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      className="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label}: ${series.join(', ')}`}
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
