// The products database as catalog sees it: a fixed-size connection pool in front of
// queries that take real time. Callers wait in line for a connection; after
// DB_QUEUE_TIMEOUT_MS they give up with a PoolTimeoutError (the API answers 503).
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { identityAttributes } from '../../../lib/context.js';

const tracer = trace.getTracer('catalog-db');

export class PoolTimeoutError extends Error {
  constructor(waitedMs) {
    super(`timed out after ${waitedMs} ms waiting for a database connection`);
    this.name = 'PoolTimeoutError';
    this.status = 503;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Pool {
  constructor({ size, queueTimeoutMs }) {
    this.size = size;
    this.queueTimeoutMs = queueTimeoutMs;
    this.busy = 0;
    this.waiting = [];
  }

  acquire() {
    if (this.busy < this.size) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, timer: null };
      waiter.timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new PoolTimeoutError(this.queueTimeoutMs));
      }, this.queueTimeoutMs);
      this.waiting.push(waiter);
    });
  }

  release() {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.busy--;
    }
  }

  /**
   * Runs one statement: waits for a connection, holds it for durationMs, returns run().
   * Traced as a client span named after the operation and table.
   */
  query({ operation, table, text, durationMs }, run) {
    return tracer.startActiveSpan(
      `${operation} ${table}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.operation.name': operation,
          'db.collection.name': table,
          'db.query.text': text,
          ...identityAttributes(),
        },
      },
      async (span) => {
        const queued = Date.now();
        try {
          await this.acquire();
          span.setAttribute('db.client.connection.wait_ms', Date.now() - queued);
          try {
            await sleep(durationMs);
            return run();
          } finally {
            this.release();
          }
        } catch (err) {
          span.recordException(err);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }
}
