// How the simulation page paints the service map (src/web/components/sim-paint), without a
// browser: utilization bands by the busiest resource, unbounded and saturated resources always
// the top band, and a service the model gave no resource left unpainted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Figure, LoadSimulationResult, ResourcePrediction } from '../src/model/index.js';
import { busiestResource, loadPaint, utilizationBand } from '../src/web/components/sim-paint.js';

const fig = (value: number | null): Figure => ({ value, p10: value, p90: value });
const resource = (kind: 'cpu' | 'pool', u: number | null, saturated = false): ResourcePrediction => ({
  kind,
  servers: 2,
  utilization: fig(u),
  baselineUtilization: 0.1,
  waitMs: fig(0),
  saturated,
  failShare: fig(0),
});

describe('simulation map paint', () => {
  it('bands utilization: below 50%, 50–80%, 80–100%, saturated at 100% or unbounded', () => {
    assert.deepEqual(
      [0, 0.49, 0.5, 0.79, 0.8, 0.99, 1, 3, null].map((u) => utilizationBand(u).id),
      ['low', 'low', 'moderate', 'moderate', 'high', 'high', 'saturated', 'saturated', 'saturated'],
    );
    assert.equal(utilizationBand(0.3, true).id, 'saturated', 'the model saying saturated wins over the estimate');
  });

  it('paints each service by its busiest resource, and leaves one with no resource out', () => {
    const r = {
      services: [
        {
          service: 'api',
          replicas: { baseline: 1, predicted: 1 },
          resources: [resource('cpu', 0.6), resource('pool', 0.95)],
        },
        {
          service: 'db',
          replicas: { baseline: 1, predicted: 1 },
          resources: [resource('cpu', 0.2), resource('pool', null)],
        },
        { service: 'web', replicas: { baseline: 2, predicted: 2 }, resources: [resource('cpu', 0.2)] },
        { service: 'edge', replicas: { baseline: 1, predicted: 1 }, resources: [] },
      ],
    } as unknown as LoadSimulationResult;
    const paint = loadPaint(r);
    assert.deepEqual(
      [...paint].map(([s, p]) => [s, p.band.id, p.note]),
      [
        ['api', 'high', 'pool 95%'],
        ['db', 'saturated', 'pool ∞'],
        ['web', 'low', 'CPU 20%'],
      ],
    );
    assert.equal(busiestResource(r.services[3]!), null);
    assert.equal(
      busiestResource({
        service: 'x',
        replicas: { baseline: 1, predicted: 1 },
        resources: [resource('cpu', 0.9), resource('pool', 0.5, true)],
      })?.kind,
      'pool',
      'a saturated resource is the busiest',
    );
  });
});
