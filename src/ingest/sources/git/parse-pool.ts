// Parses files on worker threads, so that a large sync uses every core for tree-sitter while
// the main thread reads blobs and writes the store. With no workers it parses inline.
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CodeLanguage, FileExtraction } from '../../../analysis/index.js';
import { loadCodeParsers } from './grammars.js';

/** No worker is left: the sync cannot go on (a file's own failure is a plain Error). */
export class ParsePoolError extends Error {}

export interface ParsePool {
  /** Rejects when the file cannot be parsed (or a worker died): the caller skips that file. */
  parse(language: CodeLanguage, source: string): Promise<FileExtraction>;
  /** Time spent parsing so far, summed over the threads (CPU time, not wall time). */
  readonly parseMs: number;
  close(): Promise<void>;
}

/** As many workers as cores, but at least 1 and at most 4 (past that the store is the bottleneck). */
export function defaultParseWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Pending {
  resolve(x: FileExtraction): void;
  reject(err: Error): void;
}

class WorkerHandle {
  readonly pending = new Map<number, Pending>();
  dead: Error | null = null;
  parseMs = 0;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: { id: number; extraction?: FileExtraction; error?: string; ms?: number }) => {
      this.parseMs += m.ms ?? 0;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.extraction!);
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`a parse worker failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`a parse worker exited (code ${code})`)));
  }
}

function startWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./parse-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry);
  // Run from source (tests, benchmarks, development): the worker is TypeScript, and Node 20
  // does not carry tsx's loader hooks into workers, so the worker imports it through tsx's API.
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, execArgv: [] });
}

export async function openParsePool(opts: { workers?: number } = {}): Promise<ParsePool> {
  const n = opts.workers ?? defaultParseWorkers();
  if (n <= 0) {
    const parsers = await loadCodeParsers([]);
    let parseMs = 0;
    return {
      async parse(language, source) {
        await parsers.load([language]);
        const t0 = performance.now();
        try {
          return parsers.parse(language, source);
        } finally {
          parseMs += performance.now() - t0;
        }
      },
      get parseMs() {
        return parseMs;
      },
      close: async () => {},
    };
  }
  const handles = Array.from({ length: n }, () => new WorkerHandle(startWorker()));
  let nextId = 0;
  let closed = false;
  return {
    parse(language, source) {
      const live = handles.filter((h) => !h.dead);
      if (closed || live.length === 0) {
        return Promise.reject(
          new ParsePoolError(
            closed ? 'the parse pool is closed' : (handles[0]?.dead?.message ?? 'no parse worker is left'),
          ),
        );
      }
      let h = live[0]!;
      for (const x of live) if (x.pending.size < h.pending.size) h = x;
      const id = nextId++;
      return new Promise<FileExtraction>((resolve, reject) => {
        h.pending.set(id, { resolve, reject });
        h.worker.postMessage({ id, language, source });
      });
    },
    get parseMs() {
      return handles.reduce((sum, h) => sum + h.parseMs, 0);
    },
    async close() {
      closed = true;
      await Promise.all(handles.map((h) => h.worker.terminate().catch(() => 0)));
    },
  };
}
