// The service graph (Cytoscape.js): services as nodes, calls as edges labelled with their
// rate, error rate and latency; the services of a problem's path highlighted, or each service
// painted by a simulation (a band's colours and a note under its name, both also in the
// accessible name, so the colouring is readable without the canvas).
import cytoscape from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { EdgeSummary, ServiceNode } from '../../model/index.js';
import type { NodePaint } from './sim-paint';

const NO_PAINT: ReadonlyMap<string, NodePaint> = new Map();

export function ServiceGraphView({
  nodes,
  edges,
  highlight,
  minutes,
  onSelect,
  paint = NO_PAINT,
  label = 'Service map',
}: {
  nodes: ServiceNode[];
  edges: EdgeSummary[];
  highlight: ReadonlySet<string>;
  minutes: number;
  onSelect?: (service: string) => void;
  paint?: ReadonlyMap<string, NodePaint>;
  /** The start of the accessible name. */
  label?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const rate = (calls: number) => `${(calls / Math.max(1, minutes)).toFixed(1)}/min`;
    const cy = cytoscape({
      container: box.current,
      elements: [
        ...nodes.map((n) => {
          const p = paint.get(n.service);
          return {
            data: {
              id: n.service,
              label: p
                ? `${n.service}\n${p.note}`
                : `${n.service}${n.errorRate ? `\n${(n.errorRate * 100).toFixed(1)}% err` : ''}`,
              ...(p ? { fill: p.band.fill, border: p.band.border, borderWidth: p.band.borderWidth } : {}),
            },
            classes: [highlight.has(n.service) ? 'hot' : '', n.edgeOnly ? 'external' : '', p ? 'painted' : ''].join(
              ' ',
            ),
          };
        }),
        ...edges.map((e) => ({
          data: {
            id: `${e.caller}->${e.callee}`,
            source: e.caller,
            target: e.callee,
            label: `${rate(e.calls)} · ${e.errorRate ? `${(e.errorRate * 100).toFixed(1)}% err` : '0% err'} · p50 ${e.p50Ms === null ? '–' : `${e.p50Ms.toFixed(0)} ms`}`,
          },
          classes: highlight.has(e.caller) && highlight.has(e.callee) ? 'hot' : '',
        })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'text-wrap': 'wrap',
            'text-valign': 'center',
            'text-halign': 'center',
            'background-color': '#e4e7ec',
            'border-color': '#475467',
            'border-width': 1,
            shape: 'round-rectangle',
            width: 'label',
            height: 'label',
            padding: '10px',
            'font-size': 12,
            color: '#101828',
          },
        },
        { selector: 'node.external', style: { 'border-style': 'dashed' } },
        {
          selector: 'node.painted',
          style: {
            'background-color': 'data(fill)',
            'border-color': 'data(border)',
            'border-width': 'data(borderWidth)',
          },
        },
        {
          selector: 'node.hot',
          style: { 'background-color': '#fee4e2', 'border-color': '#b42318', 'border-width': 3 },
        },
        {
          selector: 'edge',
          style: {
            label: 'data(label)',
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            'line-color': '#98a2b3',
            'target-arrow-color': '#98a2b3',
            width: 1.5,
            'font-size': 10,
            color: '#344054',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.9,
            'text-background-padding': '2px',
          },
        },
        { selector: 'edge.hot', style: { 'line-color': '#b42318', 'target-arrow-color': '#b42318', width: 3 } },
      ],
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.3, padding: 20 },
      wheelSensitivity: 0.3,
    });
    if (onSelect) cy.on('tap', 'node', (ev) => onSelect(ev.target.id()));
    return () => cy.destroy();
  }, [nodes, edges, highlight, minutes, onSelect, paint]);
  const painted = nodes.filter((n) => paint.has(n.service)).map((n) => `${n.service} ${paint.get(n.service)!.note}`);
  return (
    <div
      ref={box}
      className="graph"
      role="img"
      aria-label={`${label}: ${nodes.length} services, ${edges.length} calls between them${painted.length ? `; ${painted.join(', ')}` : ''}`}
    />
  );
}
