// A worker thread of the parse pool: loads the grammars once, then answers
// { id, language, source } with { id, extraction, ms } or { id, error }.
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
  const parsers = loadCodeParsers();
  // Until the grammars are loaded, jobs wait on the promise; the parent sees errors as answers.
  port.on('message', (job: Job) => {
    parsers.then(
      (p) => {
        try {
          const t0 = performance.now();
          const extraction = p.parse(job.language, job.source);
          port.postMessage({ id: job.id, extraction, ms: performance.now() - t0 });
        } catch (err) {
          port.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
        }
      },
      (err: Error) => port.postMessage({ id: job.id, error: `could not load the grammars: ${err.message}` }),
    );
  });
}
