// Small hand-made model records for store tests (the OTLP tests use the real SDK instead).
import type { LogRecord, MetricPoint, Span } from '../../src/model/index.js';

const resource = { 'service.name': 'cart', 'service.version': '1.4.0', 'host.name': 'node-1' };
const scope = { name: 'cart-lib', version: '0.1', attributes: { 'scope.attr': 'x' } };

export function logRecord(over: Partial<LogRecord> = {}): LogRecord {
  return {
    service: 'cart',
    serviceVersion: '1.4.0',
    environment: 'prod',
    userId: 'u-1',
    accountId: 'acct-9',
    timeUnixNano: Date.now() * 1e6,
    observedTimeUnixNano: Date.now() * 1e6,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'cart total failed for item 42',
    eventName: '',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    flags: 1,
    attributes: { 'enduser.id': 'u-1', 'code.function': 'countItems' },
    resource,
    scope,
    ...over,
  };
}

export function span(over: Partial<Span> = {}): Span {
  const start = Date.now() * 1e6;
  return {
    service: 'cart',
    serviceVersion: '1.4.0',
    environment: 'prod',
    userId: 'u-1',
    accountId: 'acct-9',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: null,
    traceState: '',
    name: 'GET /cart/:id',
    kind: 2,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 12_345_678,
    durationNano: 12_345_678,
    statusCode: 2,
    statusMessage: 'boom',
    httpRoute: '/cart/:id',
    attributes: { 'http.route': '/cart/:id', 'enduser.id': 'u-1' },
    events: [{ timeUnixNano: start + 1000, name: 'exception', attributes: { 'exception.type': 'TypeError' } }],
    links: [],
    resource,
    scope,
    ...over,
  };
}

export function metricPoint(over: Partial<MetricPoint> = {}): MetricPoint {
  return {
    service: 'cart',
    serviceVersion: '1.4.0',
    environment: 'prod',
    userId: null,
    accountId: null,
    name: 'http.server.request.duration',
    description: '',
    unit: 's',
    kind: 'histogram',
    temporality: 2,
    monotonic: false,
    startTimeUnixNano: Date.now() * 1e6 - 1e9,
    timeUnixNano: Date.now() * 1e6,
    value: 1.5,
    count: 3,
    detail: { bucketCounts: [1, 2], explicitBounds: [0.5] },
    attributes: { 'http.route': '/cart/:id' },
    resource,
    scope,
    ...over,
  };
}
