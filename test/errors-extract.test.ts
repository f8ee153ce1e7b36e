// Exceptions pulled out of normalized spans and log records: OTLP `exception` span events,
// `exception.*` log attributes, and log bodies that are stack traces, with the runtime hint
// taken from the resource. Ordinary log lines must give nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exceptionFromLog, exceptionsFromSpan, fingerprintOccurrence } from '../src/analysis/index.js';
import type { Attributes, LogRecord, Span } from '../src/model/index.js';

const trace = (path: string) => readFileSync(new URL(`./fixtures/stacktraces/${path}`, import.meta.url), 'utf8');
const scope = { name: 'test', version: '1', attributes: {} };
const semantic = { service: 'shop', serviceVersion: '1.4.2', environment: 'prod', userId: null, accountId: null };

function span(events: Span['events'], resource: Attributes = { 'telemetry.sdk.language': 'nodejs' }): Span {
  return {
    ...semantic,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: null,
    traceState: '',
    name: 'POST /checkout',
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000,
    endTimeUnixNano: 1_700_000_000_500_000_000,
    durationNano: 500_000_000,
    statusCode: 2,
    statusMessage: '',
    httpRoute: '/checkout',
    attributes: {},
    events,
    links: [],
    resource,
    scope,
  };
}

function log(body: string, attributes: Attributes = {}, resource: Attributes = {}): LogRecord {
  return {
    ...semantic,
    timeUnixNano: 1_700_000_001_000_000_000,
    observedTimeUnixNano: 1_700_000_001_100_000_000,
    severityNumber: 17,
    severityText: 'ERROR',
    body,
    eventName: '',
    traceId: null,
    spanId: null,
    flags: 0,
    attributes,
    resource,
    scope,
  };
}

describe('exceptionsFromSpan', () => {
  it('reads every exception event with its attributes and the resource runtime', () => {
    const stack = trace('v8/express-typeerror.txt');
    const got = exceptionsFromSpan(
      span([
        { timeUnixNano: 1_700_000_000_400_000_000, name: 'log', attributes: { message: 'not an exception' } },
        {
          timeUnixNano: 1_700_000_000_450_000_000,
          name: 'exception',
          attributes: {
            'exception.type': 'TypeError',
            'exception.message': "Cannot read properties of undefined (reading 'items')",
            'exception.stacktrace': stack,
            'exception.escaped': true,
          },
        },
        { timeUnixNano: 0, name: 'exception', attributes: { 'exception.message': 'retry budget exhausted' } },
        { timeUnixNano: 1, name: 'exception', attributes: { 'other.key': 'x' } },
      ]),
    );
    assert.equal(got.length, 2);
    assert.deepEqual(got[0], {
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'items')",
      stacktrace: stack,
      timeUnixNano: 1_700_000_000_450_000_000,
      runtime: 'v8',
      escaped: true,
      source: 'span-event',
      service: 'shop',
      serviceVersion: '1.4.2',
      environment: 'prod',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    });
    // An event without a time takes the span's end; a missing escaped flag stays unknown.
    assert.equal(got[1]!.timeUnixNano, 1_700_000_000_500_000_000);
    assert.equal(got[1]!.escaped, null);
    assert.equal(got[1]!.type, null);
  });

  it('takes the runtime from process.runtime.name when the SDK language is absent', () => {
    const ev = {
      timeUnixNano: 1,
      name: 'exception',
      attributes: { 'exception.type': 'java.lang.IllegalStateException' },
    };
    assert.equal(
      exceptionsFromSpan(span([ev], { 'process.runtime.name': 'OpenJDK Runtime Environment' }))[0]!.runtime,
      'java',
    );
    assert.equal(exceptionsFromSpan(span([ev], {}))[0]!.runtime, 'unknown');
  });

  it('feeds fingerprintOccurrence directly', () => {
    const [occ] = exceptionsFromSpan(
      span([
        { timeUnixNano: 1, name: 'exception', attributes: { 'exception.stacktrace': trace('v8/pg-async-frames.txt') } },
      ]),
    );
    const { stack, fingerprint } = fingerprintOccurrence(occ!);
    assert.equal(stack.type, 'error');
    assert.equal(fingerprint.basis, 'frames');
    assert.equal(fingerprint.frames[0]!.function, 'UserRepository.create');
  });
});

describe('exceptionFromLog', () => {
  it('reads exception.* attributes', () => {
    const stack = trace('python/django-keyerror.txt');
    const got = exceptionFromLog(
      log(
        'order lookup failed',
        { 'exception.type': 'KeyError', 'exception.message': "'grand_total'", 'exception.stacktrace': stack },
        {
          'telemetry.sdk.language': 'python',
        },
      ),
    );
    assert.ok(got);
    assert.equal(got.source, 'log-attributes');
    assert.equal(got.type, 'KeyError');
    assert.equal(got.stacktrace, stack);
    assert.equal(got.runtime, 'python');
    assert.equal(got.timeUnixNano, 1_700_000_001_000_000_000);
  });

  it('reads a stack trace printed into the body', () => {
    const got = exceptionFromLog(
      log(trace('java/logback-packaging-data.txt'), {}, { 'telemetry.sdk.language': 'java' }),
    );
    assert.ok(got);
    assert.equal(got.source, 'log-body');
    assert.equal(got.type, 'com.acme.payments.gateway.GatewayException');
    assert.equal(got.message, 'capture declined: code=51 (insufficient funds)');
    const py = exceptionFromLog(log(trace('python/recursion-logged.txt')));
    assert.equal(py?.type, 'RecursionError');
    assert.equal(exceptionFromLog(log(trace('go/nil-pointer-http-handler.txt')))?.type, 'runtime.Error');
  });

  it('gives nothing for ordinary log lines, even ones that look a little like traces', () => {
    const bodies = [
      'GET /checkout 200 in 12ms',
      'user 42 logged in at 14:05:33',
      'Meeting notes:\n    at 10:00 standup\n    at 11:00 review',
      'started goroutine pool with 8 workers',
      'error: something failed\nplease retry',
      '',
    ];
    for (const b of bodies) assert.equal(exceptionFromLog(log(b)), null, JSON.stringify(b));
  });

  it('costs next to nothing for ordinary log lines', () => {
    const line = log('2024-03-11T09:14:07Z INFO cart updated for user 42: 3 items, total 59.90 EUR');
    const t = performance.now();
    for (let i = 0; i < 200_000; i++) exceptionFromLog(line);
    const perLine = ((performance.now() - t) / 200_000) * 1e6;
    assert.ok(perLine < 2000, `${perLine.toFixed(0)} ns per line`);
  });
});
