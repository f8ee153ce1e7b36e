// Reads a large export file in a worker thread: parsing 50k CSV rows takes seconds of CPU,
// which on the main thread would hold every request the server is answering (OTLP included).
// Small files are read inline, where a worker's start would cost more than it saves.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TicketInput } from '../../../model/index.js';
import { ImportError, type ImportFormat, type ParseImportOptions, parseImport } from './import.js';

/** Files up to this size are read on the calling thread. */
export const INLINE_PARSE_BYTES = 1024 * 1024;

type Message =
  | { tickets: TicketInput[] }
  | { done: true; format: ImportFormat }
  | { error: string; importError: boolean };

function startWorker(data: unknown): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./import-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData: data });
  // From source (tests, benchmarks): Node 20 does not carry tsx's hooks into workers (see git/parse-pool).
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, execArgv: [], workerData: data });
}

/** parseImport, off the main thread for files over INLINE_PARSE_BYTES; the same result and the same ImportError. */
export async function parseImportOffThread(
  format: ImportFormat | 'auto',
  content: string,
  opts: ParseImportOptions = {},
): Promise<{ format: ImportFormat; tickets: TicketInput[] }> {
  if (content.length <= INLINE_PARSE_BYTES) return parseImport(format, content, opts);
  const worker = startWorker({ format, content, opts });
  const tickets: TicketInput[] = [];
  try {
    return await new Promise((resolve, reject) => {
      worker.on('message', (m: Message) => {
        if ('tickets' in m) {
          for (const t of m.tickets) tickets.push(t);
          worker.postMessage('next');
        } else if ('done' in m) resolve({ format: m.format, tickets });
        else reject(m.importError ? new ImportError(m.error) : new Error(`reading the import failed: ${m.error}`));
      });
      worker.on('error', (err) => reject(new Error(`the import reader failed: ${err.message}`)));
      worker.on('exit', (code) => reject(new Error(`the import reader exited (code ${code}) before it was done`)));
    });
  } finally {
    void worker.terminate();
  }
}
