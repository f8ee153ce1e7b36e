// The OTLP targets: decodeOtlp on its own (3 signals × protobuf and JSON), the same bodies through
// POST /v1/<signal> (some gzip'd), and protobuf through OTLP/gRPC Export; the server's answer
// must agree with the decoder's verdict.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { OTLP_GRPC_METHODS } from '../../../src/ingest/sources/otlp-grpc/index.js';
import { UndecodableBodyError, decodeOtlp } from '../../../src/ingest/sources/otlp/index.js';
import type { Signal } from '../../../src/model/index.js';
import { otlpJson, otlpProtobuf } from './otlp.js';
import { type Target, preview, unstorableText, verdict } from './target.js';

export function pureOtlp(signal: Signal, format: 'protobuf' | 'json'): Target<Buffer> {
  return {
    name: `otlp/${signal}/${format}`,
    kind: 'pure',
    weight: 3,
    arbitrary: format === 'protobuf' ? otlpProtobuf(signal) : otlpJson(signal),
    show: preview,
    run(body) {
      let decoded: ReturnType<typeof decodeOtlp>;
      try {
        decoded = decodeOtlp(signal, format, body);
      } catch (err) {
        if (err instanceof UndecodableBodyError) return { accepted: false };
        throw err;
      }
      const bad = unstorableText(decoded.records);
      if (bad !== null)
        return { fail: `a decoded record holds text PostgreSQL cannot store: ${JSON.stringify(bad.slice(0, 200))}` };
      return { accepted: true };
    },
  };
}

const CONTENT_TYPE = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;

export function serverOtlp(signal: Signal, format: 'protobuf' | 'json'): Target<{ body: Buffer; gzip: boolean }> {
  return {
    name: `otlp-http/${signal}/${format}`,
    kind: 'server',
    weight: 3,
    arbitrary: fc.record({ body: format === 'protobuf' ? otlpProtobuf(signal) : otlpJson(signal), gzip: fc.boolean() }),
    show: (i) => `${i.gzip ? 'gzip ' : ''}${preview(i.body)}`,
    async run({ body, gzip }, s) {
      const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[format] };
      if (gzip) headers['content-encoding'] = 'gzip';
      const res = await s.otlp('POST', `/v1/${signal}`, gzip ? gzipSync(body) : body, headers);
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      const decodable = verdict(
        () => decodeOtlp(signal, format, body),
        (e) => e instanceof UndecodableBodyError,
      );
      if ((res.status === 200) !== decodable)
        return {
          status: res.status,
          fail: `answered ${res.status} but the decoder ${decodable ? 'accepts' : 'refuses'} it: ${res.body.slice(0, 300)}`,
        };
      return { status: res.status, accepted: res.status === 200 };
    },
  };
}

/** gRPC codes that are the server's fault, as a 5xx is over HTTP. */
const GRPC_SERVER_FAULTS = new Set([2, 13, 14, 15]); // UNKNOWN, INTERNAL, UNAVAILABLE, DATA_LOSS

export function serverGrpc(signal: Signal): Target<Buffer> {
  return {
    name: `otlp-grpc/${signal}`,
    kind: 'server',
    weight: 1,
    arbitrary: otlpProtobuf(signal),
    show: preview,
    async run(body, s) {
      const r = await s.grpc(OTLP_GRPC_METHODS[signal].path, body);
      if (GRPC_SERVER_FAULTS.has(r.code)) return { status: 500, fail: `gRPC status ${r.code}: ${r.details}` };
      const decodable = verdict(
        () => decodeOtlp(signal, 'protobuf', body),
        (e) => e instanceof UndecodableBodyError,
      );
      if ((r.code === 0) !== decodable)
        return { fail: `gRPC status ${r.code} but the decoder ${decodable ? 'accepts' : 'refuses'} it: ${r.details}` };
      return { status: r.code === 0 ? 200 : 400, accepted: r.code === 0 };
    },
  };
}
