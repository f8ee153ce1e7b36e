// The HTTP skeleton every service shares: a tiny router over node:http, JSON in and out,
// identity from the request headers, errors recorded on the server span, /healthz, and a
// graceful SIGTERM (stop accepting, finish in-flight requests, flush telemetry, exit 0).
import http from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { identityFrom, withIdentity } from './context.js';
import { drillFails } from './faults.js';
import { UpstreamError } from './http.js';
import { log } from './log.js';
import { shutdownTelemetry } from './telemetry.js';

/** Throw from a handler to answer with this status. */
export class HttpProblem extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'HttpProblem';
    this.status = status;
  }
}

function compile(template) {
  const names = [];
  const pattern = template.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), names };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpProblem(400, 'body is not valid JSON'));
      }
    });
  });
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function statusFor(err) {
  if (err instanceof HttpProblem) return err.status;
  if (err instanceof UpstreamError) return 502;
  return err.status ?? 500;
}

/**
 * routes: [method, template, handler]. A handler gets ({ params, query, body, req }) and
 * returns the JSON body, or { status, body, headers } to choose the status.
 */
export function createService(name, routes, { onShutdown } = {}) {
  const table = routes.map(([method, template, handler]) => ({ method, template, handler, ...compile(template) }));
  let closing = false;

  const server = http.createServer(async (req, res) => {
    // Draining: answer what is in flight, but tell keep-alive clients not to come back.
    if (closing) res.setHeader('connection', 'close');
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { ok: true, service: name });
    let match = null;
    for (const r of table) {
      const m = r.method === req.method ? r.regex.exec(url.pathname) : null;
      if (m) {
        match = { route: r, values: m.slice(1) };
        break;
      }
    }
    const span = trace.getActiveSpan();
    if (!match) return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    const { route, values } = match;
    span?.setAttribute('http.route', route.template);
    span?.updateName(`${req.method} ${route.template}`);
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(values[i])]));

    await withIdentity(identityFrom(req.headers), async () => {
      try {
        if (drillFails()) throw new HttpProblem(500, 'fault drill: this request fails on purpose');
        const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readBody(req);
        const out = await route.handler({ params, query: url.searchParams, body, req });
        if (out && typeof out === 'object' && 'status' in out && 'body' in out) send(res, out.status, out.body, out.headers);
        else send(res, 200, out ?? {});
      } catch (err) {
        const status = statusFor(err);
        if (status >= 500) {
          span?.recordException(err);
          span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          log.error('%s %s failed: %s', req.method, route.template, err.message, err);
        }
        if (!res.headersSent) send(res, status, { error: err.message });
      }
    });
  });
  server.keepAliveTimeout = 5000;

  const port = Number(process.env.PORT ?? 8080);
  server.listen(port, '127.0.0.1', () => {
    log.info('%s listening on 127.0.0.1:%d (version %s)', name, port, process.env.SERVICE_VERSION ?? 'dev');
  });

  const stop = async (signal) => {
    if (closing) return;
    closing = true;
    log.info('%s received %s, draining', name, signal);
    const drained = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    // Keep-alive sockets that stay busy past the grace period are cut.
    const grace = setTimeout(() => server.closeAllConnections(), 3000);
    await drained;
    clearTimeout(grace);
    try {
      await onShutdown?.();
    } catch (err) {
      log.error('shutdown hook failed: %s', err.message, err);
    }
    await shutdownTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}
