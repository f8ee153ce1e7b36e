// Where a timeline's deploy labels go: each label in the first lane where it clears the label
// before it, at most `maxLanes` lanes; the labels that fit in none are left out (the timeline
// says how many, and its caption lists every deploy). Pure, so it is tested without a browser.

export interface LabelBox {
  /** Where the label starts, in CSS pixels. */
  x: number;
  width: number;
}

export interface LaneLayout {
  /** Per label, in the input's order: its lane (0 = top), or null when it is left out. */
  lanes: Array<number | null>;
  /** Lanes used. */
  used: number;
  /** Labels left out. */
  elided: number;
}

/** Lays labels out left to right: a label takes the first lane whose last label ends `gap` px before it starts. */
export function markerLanes(boxes: readonly LabelBox[], opts: { maxLanes?: number; gap?: number } = {}): LaneLayout {
  const maxLanes = Math.max(1, opts.maxLanes ?? 3);
  const gap = opts.gap ?? 6;
  const order = boxes.map((b, i) => ({ ...b, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  const ends: number[] = [];
  const lanes: Array<number | null> = boxes.map(() => null);
  for (const b of order) {
    let lane = ends.findIndex((end) => end + gap <= b.x);
    if (lane < 0 && ends.length < maxLanes) lane = ends.length;
    if (lane < 0) continue;
    ends[lane] = b.x + b.width;
    lanes[b.i] = lane;
  }
  return { lanes, used: ends.length, elided: lanes.filter((l) => l === null).length };
}
