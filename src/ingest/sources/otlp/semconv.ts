// Semantic-convention fields that later analysis joins on, lifted out of resource and
// record attributes. Record attributes win over resource attributes, and the current
// attribute names win over their deprecated spellings.
import type { AttributeValue, Attributes, SemanticFields } from '../../../model/index.js';

function asText(v: AttributeValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

// One function per field, with the keys spelled out in priority order: these run for
// every record, so they avoid key arrays, rest parameters and intermediate objects.

/** deployment.environment.name, then the deprecated deployment.environment. */
export function environmentOf(a: Attributes): string | null {
  return asText(a['deployment.environment.name']) ?? asText(a['deployment.environment']);
}

/** enduser.id, user.id, then enduser.pseudo.id. */
export function userIdOf(a: Attributes): string | null {
  return asText(a['enduser.id']) ?? asText(a['user.id']) ?? asText(a['enduser.pseudo.id']);
}

/** account.id, enduser.account.id, tenant.id, then organization.id. */
export function accountIdOf(a: Attributes): string | null {
  return (
    asText(a['account.id']) ?? asText(a['enduser.account.id']) ?? asText(a['tenant.id']) ?? asText(a['organization.id'])
  );
}

export function httpRoute(attrs: Attributes): string | null {
  return asText(attrs['http.route']);
}

/** The resource-level part, computed once per ResourceLogs/ResourceSpans/ResourceMetrics. */
export interface ResourceFields {
  service: string | null;
  serviceVersion: string | null;
  environment: string | null;
  userId: string | null;
  accountId: string | null;
}

export function resourceFields(resource: Attributes): ResourceFields {
  return {
    service: asText(resource['service.name']),
    serviceVersion: asText(resource['service.version']),
    environment: environmentOf(resource),
    userId: userIdOf(resource),
    accountId: accountIdOf(resource),
  };
}

/** The record-level fields; decoders on the hot path call the *Of functions directly instead. */
export function semanticFields(res: ResourceFields & { service: string }, attrs: Attributes): SemanticFields {
  return {
    service: res.service,
    serviceVersion: res.serviceVersion,
    environment: environmentOf(attrs) ?? res.environment,
    userId: userIdOf(attrs) ?? res.userId,
    accountId: accountIdOf(attrs) ?? res.accountId,
  };
}

export const MISSING_SERVICE_NAME = 'resource has no service.name attribute';
