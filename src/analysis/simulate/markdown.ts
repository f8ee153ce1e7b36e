// Any stored simulation's result as Markdown, by its kind: one entry point for the API's
// `?format=markdown` and the CLI.
import type { SimulationResult } from '../../model/index.js';
import { blastRadiusMarkdown } from './change/render.js';
import { failureSimulationMarkdown } from './failure-render.js';
import { loadSimulationMarkdown } from './render.js';

export function simulationMarkdown(r: SimulationResult, opts: { id?: number } = {}): string {
  switch (r.kind) {
    case 'failure':
      return failureSimulationMarkdown(r, opts);
    case 'change':
      return blastRadiusMarkdown(r);
    default:
      return loadSimulationMarkdown(r, opts);
  }
}
