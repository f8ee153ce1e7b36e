// Who a request is for. The edge sends x-user-id (the customer's email) and x-account-id;
// we keep them in the OpenTelemetry context so spans, log records and downstream calls
// all carry them without passing them around by hand.
import { context, createContextKey, trace } from '@opentelemetry/api';

const IDENTITY = createContextKey('shop.identity');

function single(value) {
  return Array.isArray(value) ? value[0] : value;
}

export function identityFrom(headers) {
  return {
    userId: single(headers['x-user-id']) || null,
    accountId: single(headers['x-account-id']) || null,
  };
}

/** Runs fn with the identity in context and tags the current (server) span with it. */
export function withIdentity(identity, fn) {
  trace.getActiveSpan()?.setAttributes(identityAttributes(identity));
  return context.with(context.active().setValue(IDENTITY, identity), fn);
}

export function currentIdentity() {
  return context.active().getValue(IDENTITY) ?? { userId: null, accountId: null };
}

export function identityAttributes(identity = currentIdentity()) {
  const attrs = {};
  if (identity.userId) attrs['enduser.id'] = identity.userId;
  if (identity.accountId) attrs['account.id'] = identity.accountId;
  return attrs;
}

/** Headers to forward on a downstream call. */
export function identityHeaders(identity = currentIdentity()) {
  const headers = {};
  if (identity.userId) headers['x-user-id'] = identity.userId;
  if (identity.accountId) headers['x-account-id'] = identity.accountId;
  return headers;
}
