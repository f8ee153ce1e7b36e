// A simulation's service map: the calls traces drew in its calibration window, each service
// painted by the simulation (its band and a note), with the legend. Services the model names but
// the window's graph lacks are drawn too, without edges; services it does not model keep the
// map's plain grey, which the legend says.
import { useMemo } from 'react';
import type { ServiceGraph, ServiceNode, SimulationWindow } from '../../model/index.js';
import { qs, useApi } from '../api';
import { ServiceGraphView } from './service-graph';
import type { Band, NodePaint } from './sim-paint';
import { Load } from './states';

const NONE: ReadonlySet<string> = new Set();

export function SimulationMap({
  calibration,
  paint,
  bands,
  caption,
}: {
  calibration: SimulationWindow;
  paint: ReadonlyMap<string, NodePaint>;
  /** The legend, in order. */
  bands: readonly Band[];
  caption: string;
}) {
  const state = useApi<ServiceGraph>(
    `/api/services/graph${qs({ since: calibration.since, until: calibration.until })}`,
  );
  const minutes = (Date.parse(calibration.until) - Date.parse(calibration.since)) / 60_000;
  return (
    <figure className="sim-map">
      <Load state={state} what="the service graph of the calibration window">
        {(g) => <PaintedGraph graph={g} paint={paint} minutes={minutes} caption={caption} />}
      </Load>
      <figcaption>
        <span>{caption}.</span>
        <ul className="legend" aria-label="Legend">
          {bands.map((b) => (
            <li key={b.id}>
              <span
                className="swatch"
                aria-hidden="true"
                style={{ background: b.fill, borderColor: b.border, borderWidth: Math.min(3, b.borderWidth) }}
              />
              {b.label}
            </li>
          ))}
          <li>
            <span className="swatch" aria-hidden="true" style={{ background: '#e4e7ec', borderColor: '#475467' }} />
            not modelled
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}

function PaintedGraph({
  graph,
  paint,
  minutes,
  caption,
}: {
  graph: ServiceGraph;
  paint: ReadonlyMap<string, NodePaint>;
  minutes: number;
  caption: string;
}) {
  const nodes = useMemo(() => {
    const seen = new Set(graph.nodes.map((n) => n.service));
    const extra: ServiceNode[] = [...paint.keys()]
      .filter((s) => !seen.has(s))
      .map((service) => ({ service, requests: 0, errors: 0, errorRate: null, p99Ms: null, edgeOnly: false }));
    return [...graph.nodes, ...extra];
  }, [graph, paint]);
  return (
    <ServiceGraphView
      nodes={nodes}
      edges={graph.edges}
      highlight={NONE}
      minutes={minutes}
      paint={paint}
      label={`Service map, ${caption}`}
    />
  );
}
