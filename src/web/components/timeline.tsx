// An incident's timeline (uPlot): counts per bucket (errors, log lines) on the left axis,
// latency on the right, and each deploy as a labelled vertical marker over them.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

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
}

const COLORS = ['#b42318', '#175cd3', '#6941c6', '#027a48', '#b54708'];

export function seriesColor(i: number): string {
  return COLORS[i % COLORS.length] as string;
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
      ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
      for (const m of markers) {
        const x = u.valToPos(m.at / 1000, 'x', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillText(`▼ ${m.label}`, x + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
      }
      ctx.restore();
    };
    const hasMs = series.some((s) => s.unit === 'ms');
    const plot = new uPlot(
      {
        width,
        height: 240,
        title,
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
        hooks: { draw: [drawMarkers] },
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [times, series, markers, title]);
  return (
    <figure className="timeline">
      <div ref={box} />
      <figcaption className="muted">
        {markers.length
          ? `Deploys: ${markers.map((m) => `${m.label} at ${new Date(m.at).toISOString().slice(11, 19)}`).join('; ')}`
          : 'No deploys in this window.'}
      </figcaption>
    </figure>
  );
}
