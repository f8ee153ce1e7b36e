// The timeline's label lanes (src/web/components/marker-lanes), without a browser: labels go to
// the first lane they clear, at most maxLanes, the rest left out and counted, in input order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerLanes } from '../src/web/components/marker-lanes.js';

describe('markerLanes', () => {
  it('keeps labels that clear each other in one lane', () => {
    assert.deepEqual(
      markerLanes([
        { x: 0, width: 50 },
        { x: 60, width: 50 },
        { x: 200, width: 10 },
      ]),
      {
        lanes: [0, 0, 0],
        used: 1,
        elided: 0,
      },
    );
  });
  it('stacks close labels in lanes, reuses a lane once it clears, and leaves out what fits no lane', () => {
    const boxes = [0, 10, 20, 30, 100].map((x) => ({ x, width: 60 }));
    assert.deepEqual(markerLanes(boxes, { maxLanes: 3 }), { lanes: [0, 1, 2, null, 0], used: 3, elided: 1 });
  });
  it('answers in the input order whatever the x order, and needs the gap', () => {
    assert.deepEqual(
      markerLanes([
        { x: 50, width: 10 },
        { x: 0, width: 45 },
      ]).lanes,
      [1, 0],
    );
    assert.deepEqual(
      markerLanes([
        { x: 50, width: 10 },
        { x: 0, width: 44 },
      ]).lanes,
      [0, 0],
    );
  });
});
