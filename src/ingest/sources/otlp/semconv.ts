// Semantic-convention fields that later analysis joins on, lifted out of resource and
// record attributes. Record attributes win over resource attributes, and the current
// attribute names win over their deprecated spellings.
import type { AttributeValue, Attributes, SemanticFields } from '../../../model/index.js';

const USER_KEYS = ['enduser.id', 'user.id', 'enduser.pseudo.id'];
const ACCOUNT_KEYS = ['account.id', 'enduser.account.id', 'tenant.id', 'organization.id'];
const ENV_KEYS = ['deployment.environment.name', 'deployment.environment'];
const ROUTE_KEYS = ['http.route'];

function asText(v: AttributeValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function first(keys: string[], ...sources: Attributes[]): string | null {
  for (const attrs of sources) {
    for (const k of keys) {
      const v = asText(attrs[k]);
      if (v !== null) return v;
    }
  }
  return null;
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
    environment: first(ENV_KEYS, resource),
    userId: first(USER_KEYS, resource),
    accountId: first(ACCOUNT_KEYS, resource),
  };
}

export function semanticFields(res: ResourceFields & { service: string }, attrs: Attributes): SemanticFields {
  return {
    service: res.service,
    serviceVersion: res.serviceVersion,
    environment: first(ENV_KEYS, attrs) ?? res.environment,
    userId: first(USER_KEYS, attrs) ?? res.userId,
    accountId: first(ACCOUNT_KEYS, attrs) ?? res.accountId,
  };
}

export function httpRoute(attrs: Attributes): string | null {
  return first(ROUTE_KEYS, attrs);
}

export const MISSING_SERVICE_NAME = 'resource has no service.name attribute';
