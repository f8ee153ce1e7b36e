// A small interval chart (SVG): per row a measured baseline bar and the predicted bar with its
// 10th–90th percentile whisker, on one linear scale from zero whose end is labelled; a prediction
// with no bound (a queue that only grows) runs off the right edge marked ∞. The numbers are in
// its accessible name, and the table beside it holds them too.
import type { Figure } from '../../model/index.js';

export interface IntervalRow {
  label: string;
  baseline: number | null;
  predicted: Figure;
}

const W = 260;
const LABEL = 34;
const ROW = 26;
const PAD_RIGHT = 14;

export function IntervalChart({
  rows,
  format,
  title,
}: {
  rows: IntervalRow[];
  format: (x: number | null) => string;
  title: string;
}) {
  const finite = rows.flatMap((r) => [r.baseline, r.predicted.value, r.predicted.p10, r.predicted.p90]);
  const max = Math.max(1e-9, ...finite.filter((x): x is number => x !== null && Number.isFinite(x)));
  const plot = W - LABEL - PAD_RIGHT;
  const x = (v: number | null) => LABEL + (v === null ? plot + PAD_RIGHT / 2 : (Math.min(v, max) / max) * plot);
  const height = rows.length * ROW + 14;
  const described = rows
    .map(
      (r) =>
        `${r.label} 1× ${format(r.baseline)}, predicted ${format(r.predicted.value)} (${format(r.predicted.p10)}–${format(r.predicted.p90)})`,
    )
    .join('; ');
  return (
    <svg
      className="interval-chart"
      width={W}
      height={height}
      viewBox={`0 0 ${W} ${height}`}
      role="img"
      aria-label={`${title}: ${described}`}
    >
      {rows.map((r, i) => {
        const top = i * ROW + 2;
        const p = r.predicted;
        return (
          <g key={r.label}>
            <text x={0} y={top + 14} className="interval-label">
              {r.label}
            </text>
            {r.baseline !== null && (
              <rect x={LABEL} y={top + 2} width={Math.max(1, x(r.baseline) - LABEL)} height={7} className="baseline" />
            )}
            <rect x={LABEL} y={top + 11} width={Math.max(1, x(p.value) - LABEL)} height={9} className="predicted" />
            {(p.p10 !== p.value || p.p90 !== p.value) && (
              <g className="whisker">
                <line x1={x(p.p10)} x2={x(p.p90)} y1={top + 15.5} y2={top + 15.5} />
                <line x1={x(p.p10)} x2={x(p.p10)} y1={top + 11} y2={top + 20} />
                <line x1={x(p.p90)} x2={x(p.p90)} y1={top + 11} y2={top + 20} />
              </g>
            )}
            {p.value === null && (
              <text x={W - 2} y={top + 20} textAnchor="end" className="interval-label">
                ∞
              </text>
            )}
          </g>
        );
      })}
      <line x1={LABEL} x2={LABEL} y1={0} y2={height - 12} className="axis" />
      <text x={LABEL} y={height - 2} className="interval-tick">
        0
      </text>
      <text x={LABEL + plot} y={height - 2} textAnchor="end" className="interval-tick">
        {format(max)}
      </text>
    </svg>
  );
}
