// OTLP/HTTP response bodies: Export*ServiceResponse with partial_success on 200, and a
// google.rpc.Status on errors, each in the request's own encoding.
import protobuf from 'protobufjs/minimal.js';
import type { Signal } from '../../../model/index.js';

export type OtlpFormat = 'protobuf' | 'json';

const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

/** Export{Trace,Logs,Metrics}ServiceResponse { partial_success = 1 { rejected_* = 1; error_message = 2 } } */
export function exportResponse(
  signal: Signal,
  format: OtlpFormat,
  rejected: number,
  message: string,
): Uint8Array | string {
  if (format === 'json') {
    if (rejected === 0 && message === '') return '{}';
    return JSON.stringify({ partialSuccess: { [REJECTED_FIELD[signal]]: String(rejected), errorMessage: message } });
  }
  const w = protobuf.Writer.create();
  if (rejected > 0 || message !== '') {
    w.uint32((1 << 3) | 2).fork();
    if (rejected > 0) w.uint32(1 << 3).int64(rejected);
    if (message !== '') w.uint32((2 << 3) | 2).string(message);
    w.ldelim();
  }
  return w.finish();
}

/** google.rpc.Status { int32 code = 1; string message = 2; } with a gRPC code for the HTTP status. */
export function statusBody(format: OtlpFormat, httpStatus: number, message: string): Uint8Array | string {
  const code = GRPC_CODE[httpStatus] ?? 2;
  if (format === 'json') return JSON.stringify({ code, message });
  return protobuf.Writer.create()
    .uint32(1 << 3)
    .int32(code)
    .uint32((2 << 3) | 2)
    .string(message)
    .finish();
}

const GRPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 8, // RESOURCE_EXHAUSTED
  415: 3,
  429: 8,
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};
