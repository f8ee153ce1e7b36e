// A small JSON client for service-to-service calls. It sits on node:http so the
// OpenTelemetry instrumentation traces every call and propagates the trace context;
// identity headers are forwarded from the current request.
import http from 'node:http';
import { identityHeaders } from './context.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** The other service answered with a non-2xx status. */
export class UpstreamError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} answered ${status}${body?.error ? `: ${body.error}` : ''}`);
    this.name = 'UpstreamError';
    this.status = status;
    this.body = body;
  }
}

export class TimeoutError extends Error {
  constructor(method, url, ms) {
    super(`${method} ${url} did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function send(method, url, body, retried = false) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json', ...identityHeaders() };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = { error: text.slice(0, 200) };
        }
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(parsed);
        else reject(new UpstreamError(method, url, res.statusCode, parsed));
      });
    });
    req.on('error', (err) => {
      // A pooled connection the other side closed just as we reused it (a deploy draining
      // its old pods): the request never arrived, so send it once more on a fresh socket.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) send(method, url, body, true).then(resolve, reject);
      else reject(err);
    });
    req.end(payload);
  });
}

/**
 * Calls another service and resolves with its JSON body. With timeoutMs we stop waiting
 * after that long and reject with a TimeoutError; the request itself still runs to the
 * end, so its keep-alive socket goes back to the pool instead of being torn down.
 */
export function request(method, url, { body, timeoutMs } = {}) {
  const call = send(method, url, body);
  if (!timeoutMs) return call;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(method, url, timeoutMs)), timeoutMs);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export const getJson = (url, opts) => request('GET', url, opts);
export const postJson = (url, body, opts) => request('POST', url, { ...opts, body });
export const deleteJson = (url, opts) => request('DELETE', url, opts);
