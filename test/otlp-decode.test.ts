// The OTLP decoders against bodies made by the real OpenTelemetry JS serializers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { UndecodableBodyError, decodeOtlp, exportResponse, otlpFormat } from '../src/ingest/sources/otlp/index.js';
import { RESOURCE_ATTRS, sdkLogs, sdkSpans } from './helpers/otel.js';

describe('OTLP traces', async () => {
  const spans = await sdkSpans();
  const proto = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);

  it('decodes protobuf with the semantic-convention fields lifted', () => {
    const { records, rejected } = decodeOtlp('traces', 'protobuf', proto);
    assert.equal(rejected, 0);
    assert.equal(records.length, 2);
    const server = records.find((s) => s.name === 'GET /cart/:id')!;
    const child = records.find((s) => s.name === 'POST payments')!;
    assert.equal(server.service, 'checkout');
    assert.equal(server.serviceVersion, '2.3.1');
    assert.equal(server.environment, 'production');
    assert.equal(server.userId, 'user-42');
    assert.equal(server.accountId, 'acct-7');
    assert.equal(server.httpRoute, '/cart/:id');
    assert.equal(server.kind, 2); // OTLP SPAN_KIND_SERVER
    assert.equal(server.statusCode, 2);
    assert.equal(server.statusMessage, 'badge count failed');
    assert.equal(server.attributes['code.function.name'], 'countItems');
    assert.equal(server.attributes['code.line.number'], 88);
    assert.equal(server.attributes['http.response.status_code'], 500);
    assert.equal(server.resource['host.name'], 'pod-7');
    assert.deepEqual(
      { name: server.scope.name, version: server.scope.version },
      { name: 'checkout-http', version: '1.0.0' },
    );
    const ex = server.events.find((e) => e.name === 'exception');
    assert.equal(ex?.attributes['exception.type'], 'TypeError');
    assert.match(String(ex?.attributes['exception.stacktrace']), /TypeError: Cannot read properties/);
    assert.equal(child.parentSpanId, server.spanId);
    assert.equal(child.traceId, server.traceId);
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
    const sdk = spans.find((s) => s.name === 'GET /cart/:id')!;
    const expectedNs = sdk.duration[0] * 1e9 + sdk.duration[1];
    assert.equal(server.durationNano, expectedNs);
  });

  it('decodes JSON to exactly what protobuf gives', () => {
    assert.deepEqual(decodeOtlp('traces', 'json', json), decodeOtlp('traces', 'protobuf', proto));
  });

  it('rejects records whose resource has no service.name, and counts them', async () => {
    const { 'service.name': _drop, ...noName } = RESOURCE_ATTRS;
    const anon = await sdkSpans(noName);
    // The SDK fills in unknown_service; an empty name is what a hand-rolled client sends.
    for (const s of anon) delete (s.resource.attributes as Record<string, unknown>)['service.name'];
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(anon)!);
    const { records, rejected, rejectReasons } = decodeOtlp('traces', 'protobuf', body);
    assert.equal(records.length, 0);
    assert.equal(rejected, 2);
    assert.deepEqual(rejectReasons, ['resource has no service.name attribute']);
  });

  it('throws UndecodableBodyError on truncated or garbage protobuf and on bad JSON', () => {
    assert.throws(() => decodeOtlp('traces', 'protobuf', proto.subarray(0, proto.length - 7)), UndecodableBodyError);
    assert.throws(
      () => decodeOtlp('traces', 'protobuf', Buffer.from('garbage that is not protobuf')),
      UndecodableBodyError,
    );
    assert.throws(() => decodeOtlp('traces', 'json', Buffer.from('{"resourceSpans": [')), UndecodableBodyError);
    assert.throws(() => decodeOtlp('traces', 'json', Buffer.from('{"resourceSpans": 5}')), /must be an array/);
    // A bad id rejects its record (counted, with the reason), not the request.
    const badId = decodeOtlp(
      'traces',
      'json',
      Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01"}]}]}]}'),
    );
    assert.equal(badId.rejected, 1);
    assert.match(badId.rejectReasons[0]!, /trace id must be 16 bytes/);
  });

  it('keeps an attribute named __proto__ as data, not as a prototype', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'p' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  startTimeUnixNano: '1790000000000000000',
                  endTimeUnixNano: '1790000000005000000',
                  attributes: [
                    {
                      key: '__proto__',
                      value: { kvlistValue: { values: [{ key: 'enduser.id', value: { stringValue: 'evil' } }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = decodeOtlp('traces', 'json', Buffer.from(body)).records;
    assert.equal(Object.getPrototypeOf(span!.attributes), Object.prototype);
    assert.deepEqual(Object.keys(span!.attributes), ['__proto__']);
    assert.equal(span!.userId, null);
  });

  it('accepts an empty request', () => {
    assert.deepEqual(decodeOtlp('traces', 'protobuf', Buffer.alloc(0)), {
      records: [],
      rejected: 0,
      rejectReasons: [],
    });
    assert.equal(decodeOtlp('logs', 'json', Buffer.from('{}')).records.length, 0);
  });
});

describe('OTLP logs', async () => {
  const logs = await sdkLogs();
  const proto = Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!);
  const json = Buffer.from(JsonLogsSerializer.serializeRequest(logs)!);

  it('decodes protobuf bodies, severities, user and account ids, exception attributes', () => {
    const { records } = decodeOtlp('logs', 'protobuf', proto);
    assert.equal(records.length, 2);
    const [warn, err] = records;
    assert.equal(warn!.body, 'retrying inventory reservation for order 1234');
    assert.equal(warn!.severityNumber, 13);
    assert.equal(warn!.severityText, 'WARN');
    assert.equal(warn!.userId, 'user-9');
    assert.equal(warn!.accountId, 'acct-3');
    assert.equal(warn!.service, 'checkout');
    assert.ok(warn!.timeUnixNano > 1.7e18);
    assert.equal(err!.body, '{"msg":"structured","n":3}');
    assert.equal(err!.attributes['exception.type'], 'TypeError');
    assert.match(String(err!.attributes['exception.stacktrace']), /countItems/);
  });

  it('decodes JSON to exactly what protobuf gives', () => {
    assert.deepEqual(decodeOtlp('logs', 'json', json), decodeOtlp('logs', 'protobuf', proto));
  });
});

describe('OTLP encoding helpers', () => {
  it('maps content types', () => {
    assert.equal(otlpFormat('application/x-protobuf'), 'protobuf');
    assert.equal(otlpFormat('application/json; charset=utf-8'), 'json');
    assert.equal(otlpFormat('text/plain'), null);
    assert.equal(otlpFormat(undefined), null);
  });

  it('writes partial_success only when something was rejected', () => {
    assert.equal(exportResponse('logs', 'json', 0, ''), '{}');
    assert.deepEqual(JSON.parse(exportResponse('logs', 'json', 3, 'why') as string), {
      partialSuccess: { rejectedLogRecords: '3', errorMessage: 'why' },
    });
    assert.equal((exportResponse('traces', 'protobuf', 0, '') as Uint8Array).length, 0);
    assert.ok((exportResponse('traces', 'protobuf', 2, 'x') as Uint8Array).length > 0);
  });
});
