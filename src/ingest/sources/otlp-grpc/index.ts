// The OTLP/gRPC source: the three Export RPCs by their method paths, and the binary trailers
// an overloaded receiver answers with. Requests and responses are the same protobuf messages
// as OTLP/HTTP's (ingest/sources/otlp decodes them and writes the partial_success response).
import protobuf from 'protobufjs/minimal.js';
import type { Signal } from '../../../model/index.js';

export interface OtlpGrpcMethod {
  /** The service's full name, as in opentelemetry/proto/collector/<signal>/v1. */
  service: string;
  /** The RPC's path on the wire: /<service>/Export. */
  path: string;
}

export const OTLP_GRPC_METHODS: Readonly<Record<Signal, OtlpGrpcMethod>> = {
  traces: grpcMethod('opentelemetry.proto.collector.trace.v1.TraceService'),
  logs: grpcMethod('opentelemetry.proto.collector.logs.v1.LogsService'),
  metrics: grpcMethod('opentelemetry.proto.collector.metrics.v1.MetricsService'),
};

function grpcMethod(service: string): OtlpGrpcMethod {
  return { service, path: `/${service}/Export` };
}

/** The trailer that carries a google.rpc.Status with its details. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3 } holding one
 * google.rpc.RetryInfo { Duration retry_delay = 1 }: how OTLP tells an exporter when to retry a
 * refusal (RESOURCE_EXHAUSTED is retried only with it; UNAVAILABLE honours it).
 */
export function retryInfoStatus(code: number, message: string, retryAfterSeconds: number): Uint8Array {
  const seconds = Math.max(0, Math.floor(retryAfterSeconds));
  const nanos = Math.round((retryAfterSeconds - seconds) * 1e9);
  const duration = protobuf.Writer.create();
  if (seconds > 0) duration.uint32(1 << 3).int64(seconds);
  if (nanos > 0) duration.uint32(2 << 3).int32(nanos);
  const retryInfo = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(duration.finish())
    .finish();
  const any = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string(RETRY_INFO_TYPE)
    .uint32((2 << 3) | 2)
    .bytes(retryInfo)
    .finish();
  return protobuf.Writer.create()
    .uint32(1 << 3)
    .int32(code)
    .uint32((2 << 3) | 2)
    .string(message)
    .uint32((3 << 3) | 2)
    .bytes(any)
    .finish();
}

export interface RetryInfoStatus {
  code: number;
  message: string;
  /** The RetryInfo's delay in seconds, or null when the status carries none. */
  retryDelaySeconds: number | null;
}

/** Reads what retryInfoStatus writes (for clients and tests); throws on a malformed message. */
export function readRetryInfoStatus(buf: Uint8Array): RetryInfoStatus {
  const r = protobuf.Reader.create(buf);
  const out: RetryInfoStatus = { code: 0, message: '', retryDelaySeconds: null };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 1 << 3) out.code = r.int32();
    else if (tag === ((2 << 3) | 2)) out.message = r.string();
    else if (tag === ((3 << 3) | 2)) {
      const any = protobuf.Reader.create(r.bytes());
      let type = '';
      let value: Uint8Array | null = null;
      while (any.pos < any.len) {
        const t = any.uint32();
        if (t === ((1 << 3) | 2)) type = any.string();
        else if (t === ((2 << 3) | 2)) value = any.bytes();
        else any.skipType(t & 7);
      }
      if (type === RETRY_INFO_TYPE && value) out.retryDelaySeconds = readRetryDelay(value);
    } else r.skipType(tag & 7);
  }
  return out;
}

function readRetryDelay(buf: Uint8Array): number {
  const r = protobuf.Reader.create(buf);
  let delay = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== ((1 << 3) | 2)) {
      r.skipType(tag & 7);
      continue;
    }
    const d = protobuf.Reader.create(r.bytes());
    while (d.pos < d.len) {
      const t = d.uint32();
      if (t === 1 << 3) delay += Number(d.int64());
      else if (t === 2 << 3) delay += d.int32() / 1e9;
      else d.skipType(t & 7);
    }
  }
  return delay;
}
