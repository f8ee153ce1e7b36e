// Mergeable sketches kept per minute per key: DDSketch for latency quantiles (relative error
// bound) and HyperLogLog for distinct users and accounts.
export { DDSketch, DDSKETCH_ALGORITHM, DDSKETCH_MIN_INDEXABLE } from './ddsketch.js';
export type { DDSketchOptions, DDSketchSummary } from './ddsketch.js';
export { HyperLogLog, HLL_ALGORITHM } from './hll.js';
export type { HyperLogLogOptions } from './hll.js';
export { SketchDecodeError } from './bytes.js';
