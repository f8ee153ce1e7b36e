// An incident's timeline (uPlot): counts per bucket (errors, log lines) on the left axis,
// latency on the right, and each deploy as a vertical marker over them, labelled in a band above
// the plot in lanes that never overlap (marker-lanes; those that fit no lane are counted). The
// caption lists every deploy, each with what the caller adds (its verification verdict).
import { type ReactNode, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { markerLanes } from './marker-lanes';

export interface TimelineSeries {
  label: string;
  /** One value per point of `times`; null where there is none. */
  values: Array<number | null>;
  /** 'count' (left axis) or 'ms' (right axis). */
  unit: 'count' | 'ms';
  color: string;
}

export interface TimelineMarker {
  /** Epoch ms. */
  at: number;
  label: string;
  /** A few words after the label in the band above the plot (a deploy's verdict). */
  badge?: string;
  /** What the caption shows after the marker's label and time (a link, a verdict's tag). */
  caption?: ReactNode;
}

const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const COLORS = ['#b42318', '#175cd3', '#6941c6', '#027a48', '#b54708'];
/** Label lanes above the plot, and each lane's height in CSS pixels. */
const MAX_LANES = 3;
const LANE_PX = 18;

export function seriesColor(i: number): string {
  return COLORS[i % COLORS.length] as string;
}

/**
 * The deploys' labels in the band above the plot, each starting at its marker's line: measured,
 * laid out in lanes, the ones that fit no lane left out and counted at the band's end.
 */
function placeLabels(u: uPlot, band: HTMLDivElement, markers: readonly TimelineMarker[]): void {
  band.replaceChildren();
  const offset = u.over.getBoundingClientRect().left - band.getBoundingClientRect().left;
  const shown = markers
    .map((m) => ({ m, x: u.valToPos(m.at / 1000, 'x') }))
    .filter(({ x }) => x >= 0 && x <= u.bbox.width / devicePixelRatio);
  const spans = shown.map(({ m, x }) => {
    const span = document.createElement('span');
    span.className = 'timeline-marker-label';
    span.textContent = `▼ ${m.label}${m.badge ? ` ${m.badge}` : ''}`;
    span.title = `${m.label} at ${hms(m.at)}${m.badge ? `: ${m.badge}` : ''}`;
    span.style.left = `${offset + x - 4}px`;
    band.append(span);
    return span;
  });
  const layout = markerLanes(
    spans.map((s, i) => ({ x: offset + shown[i]!.x - 4, width: s.getBoundingClientRect().width })),
    { maxLanes: MAX_LANES },
  );
  spans.forEach((s, i) => {
    const lane = layout.lanes[i];
    if (lane === null || lane === undefined) s.remove();
    else s.style.top = `${lane * LANE_PX}px`;
  });
  let rows = layout.used;
  if (layout.elided > 0) {
    const more = document.createElement('span');
    more.className = 'timeline-elided';
    more.textContent = `+${layout.elided} more deploy${layout.elided > 1 ? 's' : ''} (listed below)`;
    more.style.left = `${offset}px`;
    more.style.top = `${rows * LANE_PX}px`;
    band.append(more);
    rows += 1;
  }
  band.style.height = `${rows * LANE_PX}px`;
}

export function Timeline({
  times,
  series,
  markers,
  title,
}: {
  times: number[];
  series: TimelineSeries[];
  markers: TimelineMarker[];
  title: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const lanes = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || times.length === 0) return;
    const width = Math.max(320, el.clientWidth);
    const drawMarkers = (u: uPlot) => {
      const { ctx } = u;
      ctx.save();
      ctx.strokeStyle = '#101828';
      ctx.fillStyle = '#101828';
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      for (const m of markers) {
        const x = u.valToPos(m.at / 1000, 'x', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
      }
      ctx.restore();
    };
    const hasMs = series.some((s) => s.unit === 'ms');
    const plot = new uPlot(
      {
        width,
        height: 240,
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            scale: s.unit,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) =>
              v === null ? '–' : s.unit === 'ms' ? `${v.toFixed(0)} ms` : String(v),
          })),
        ],
        axes: [
          {},
          { scale: 'count', label: 'per bucket' },
          ...(hasMs ? [{ scale: 'ms', side: 1 as const, label: 'ms', grid: { show: false } }] : []),
        ],
        scales: { x: { time: true } },
        // The labels once the scales are set (the first draw), in the band above the plot.
        hooks: { draw: [drawMarkers], ready: [(u: uPlot) => lanes.current && placeLabels(u, lanes.current, markers)] },
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [times, series, markers]);
  return (
    <figure className="timeline">
      <div className="timeline-title">{title}</div>
      <div ref={lanes} className="timeline-lanes" aria-hidden="true" />
      <div ref={box} />
      <figcaption className="muted">
        {markers.length === 0 ? (
          'No deploys in this window.'
        ) : (
          <>
            Deploys:{' '}
            {markers.map((m, i) => (
              <span key={`${m.at}:${m.label}`} className="timeline-deploy">
                {i > 0 ? '; ' : ''}
                {m.label} at {hms(m.at)}
                {m.caption ? <> {m.caption}</> : null}
              </span>
            ))}
          </>
        )}
      </figcaption>
    </figure>
  );
}
