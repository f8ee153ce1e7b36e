// Any stored simulation's result as Markdown, by its kind: one entry point for the API's
// `?format=markdown` and the CLI.
import type { SimulationResult } from '../../model/index.js';
import { failureSimulationMarkdown } from './failure-render.js';
import { loadSimulationMarkdown } from './render.js';

export function simulationMarkdown(r: SimulationResult, opts: { id?: number } = {}): string {
  return r.kind === 'failure' ? failureSimulationMarkdown(r, opts) : loadSimulationMarkdown(r, opts);
}
