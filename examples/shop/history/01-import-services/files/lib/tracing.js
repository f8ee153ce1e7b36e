// inSpan(name, attributes, fn): runs fn (sync or async) inside an active span that carries
// the request's identity; a thrown error is recorded on the span and rethrown.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { identityAttributes } from './context.js';

const tracer = trace.getTracer('shop');

export function inSpan(name, attributes, fn) {
  return tracer.startActiveSpan(name, { attributes: { ...identityAttributes(), ...attributes } }, (span) => {
    const fail = (err) => {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span.end();
      throw err;
    };
    let out;
    try {
      out = fn(span);
    } catch (err) {
      fail(err);
    }
    if (out && typeof out.then === 'function') {
      return out.then((value) => {
        span.end();
        return value;
      }, fail);
    }
    span.end();
    return out;
  });
}
