// A worker thread that reads one export file (parseImport) off the main thread and posts the
// tickets back in slices, the next one when the parent asks ('next'): { tickets } …, then
// { done, format }; or { error, importError }. Paced, because the parent deserializes every
// queued message in one task, which for 50k tickets would hold its event loop for a second.
import { parentPort, workerData } from 'node:worker_threads';
import { ImportError, type ImportFormat, type ParseImportOptions, parseImport } from './import.js';

/** Tickets per message: each is deserialized on the main thread as one task, so keep them small. */
const SLICE = 500;

interface Job {
  format: ImportFormat | 'auto';
  content: string;
  opts: ParseImportOptions;
}

const port = parentPort;
if (port) {
  const job = workerData as Job;
  try {
    const { format, tickets } = parseImport(job.format, job.content, job.opts);
    let next = 0;
    const send = () => {
      if (next >= tickets.length) return port.postMessage({ done: true, format });
      port.postMessage({ tickets: tickets.slice(next, next + SLICE) });
      next += SLICE;
    };
    port.on('message', send);
    send();
  } catch (err) {
    port.postMessage({ error: (err as Error).message ?? String(err), importError: err instanceof ImportError });
  }
}
