// A worker thread of the parse pool: loads a language's grammar when its first file comes
// (once), then answers { id, language, source } with { id, extraction, ms } or { id, error }.
import { parentPort } from 'node:worker_threads';
import type { CodeLanguage } from '../../../analysis/index.js';
import { loadCodeParsers } from './grammars.js';

interface Job {
  id: number;
  language: CodeLanguage;
  source: string;
}

const port = parentPort;
if (port) {
  // Jobs of a language wait for its grammar; the parent sees errors as answers.
  port.on('message', (job: Job) => {
    loadCodeParsers([job.language]).then(
      (p) => {
        try {
          const t0 = performance.now();
          const extraction = p.parse(job.language, job.source);
          port.postMessage({ id: job.id, extraction, ms: performance.now() - t0 });
        } catch (err) {
          port.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
        }
      },
      (err: Error) => port.postMessage({ id: job.id, error: `could not load the grammar: ${err.message}` }),
    );
  });
}
