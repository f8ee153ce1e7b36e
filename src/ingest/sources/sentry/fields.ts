// Reading Sentry's JSON defensively (SDKs of every age and language send it, and so does
// anyone who can read a DSN) and the parts every mapped record shares: times, the service,
// the resource and the user. Pure.
import type { AttributeValue, Attributes, Scope, SemanticFields } from '../../../model/index.js';
import { storableText, storableValue } from '../../transforms/index.js';
import { setAttribute } from '../otlp/index.js';

export { setAttribute };

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty string (numbers and booleans as text), made storable; else null. */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : storableText(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

export function int(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null;
}

/** Sentry timestamps: seconds since the epoch as a number, or an RFC 3339 string. Null when neither. */
export function timeNs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.round(v * 1e6) * 1e3;
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v);
    if (Number.isFinite(ms) && ms > 0) return ms * 1e6;
  }
  return null;
}

/** end − start in ns, exact to the microsecond Sentry's seconds carry (not the rounded ns doubles' difference). */
export function durationNs(start: unknown, end: unknown, startNs: number, endNs: number): number {
  if (typeof start === 'number' && typeof end === 'number')
    return (Math.round(end * 1e6) - Math.round(start * 1e6)) * 1e3;
  return endNs - startNs;
}

/** Lowercase hex of exactly `length` digits, not all zero (Sentry ids may carry dashes: UUIDs). */
export function hexId(v: unknown, length: number): string | null {
  if (typeof v !== 'string') return null;
  const h = v.replace(/-/g, '').toLowerCase();
  if (h.length !== length || !/^[0-9a-f]+$/.test(h) || /^0+$/.test(h)) return null;
  return h;
}

/** A JSON value as an attribute value (objects and arrays kept as JSON), text made storable. */
export function attrValue(v: unknown): AttributeValue | undefined {
  if (v === undefined) return undefined;
  return storableValue(v as AttributeValue) as AttributeValue;
}

/** Tags arrive as an object or as a list of [key, value] pairs. */
export function tagsOf(v: unknown): Record<string, string> {
  const out: Attributes = {};
  const o = obj(v);
  if (o) {
    for (const [k, val] of Object.entries(o)) {
      const t = text(val);
      if (t !== null) setAttribute(out, storableText(k), t);
    }
    return out as Record<string, string>;
  }
  for (const pair of arr(v)) {
    if (!Array.isArray(pair) || pair.length !== 2) continue;
    const k = text(pair[0]);
    const t = text(pair[1]);
    if (k !== null && t !== null) setAttribute(out, k, t);
  }
  return out as Record<string, string>;
}

/** The runtime hint (`telemetry.sdk.language`) for a Sentry platform name. */
export function languageOf(platform: string | null): string | null {
  switch (platform) {
    case 'node':
      return 'nodejs';
    case 'javascript':
      return 'webjs';
    case null:
      return null;
    default:
      return platform;
  }
}

export interface EventBase {
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  userId: string | null;
  accountId: string | null;
  /** Shared by every record the event becomes (deploy inference groups by it). */
  resource: Attributes;
  scope: Scope;
  platform: string | null;
  tags: Record<string, string>;
}

/**
 * What every record of one event shares. The service is the event's own when it names one (a
 * `service` tag), else the project's. `server_name` is the host (`host.name`), not the service:
 * the SDKs fill it with the machine's host name by default, and streamed spans do not carry it,
 * so taking it as the service would split one service's errors from its spans. `release` is the service version and
 * `environment` the deployment environment, so a new release is an inferred deploy.
 */
export function eventBase(event: Json, project: string): EventBase {
  const tags = tagsOf(event.tags);
  const serverName = text(event.server_name);
  const service = tags.service ?? project;
  const release = text(event.release);
  const environment = text(event.environment);
  const platform = text(event.platform);
  const sdk = obj(event.sdk);
  const resource: Attributes = { 'service.name': service, 'sentry.project': project };
  if (release !== null) resource['service.version'] = release;
  if (environment !== null) resource['deployment.environment.name'] = environment;
  const language = languageOf(platform);
  if (language !== null) resource['telemetry.sdk.language'] = language;
  if (serverName !== null) resource['host.name'] = serverName;
  const sdkName = text(sdk?.name);
  if (sdkName !== null) resource['telemetry.sdk.name'] = sdkName;
  const user = obj(event.user);
  // The user's id, else the email or user name that identifies them; redaction hashes an
  // email used as an id before anything is stored. The IP address is not kept.
  const userId = text(user?.id) ?? text(user?.email) ?? text(user?.username);
  const accountId = text(tags['account.id']) ?? text(tags.tenant) ?? text(tags.organization);
  return {
    service,
    serviceVersion: release,
    environment,
    userId,
    accountId,
    resource,
    scope: { name: sdkName ?? 'sentry', version: text(sdk?.version) ?? '', attributes: {} },
    platform,
    tags,
  };
}

/** An event's tags as record attributes (the `service` tag is the record's service instead). */
export function tagAttributes(base: EventBase): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(base.tags)) if (k !== 'service') setAttribute(out, k, v);
  return out;
}

/** The semantic fields every record of the event carries. */
export function semanticOf(base: EventBase): SemanticFields {
  return {
    service: base.service,
    serviceVersion: base.serviceVersion,
    environment: base.environment,
    userId: base.userId,
    accountId: base.accountId,
  };
}

/** Attributes sent as `{key: {value, type}}` (log items, streamed spans); plain values are taken as they are. */
export function typedAttributes(v: unknown, skip: ReadonlySet<string> = new Set()): Attributes {
  const out: Attributes = {};
  const o = obj(v);
  if (!o) return out;
  for (const [k, raw] of Object.entries(o)) {
    if (skip.has(k)) continue;
    const typed = obj(raw);
    const a = attrValue(typed && 'value' in typed ? typed.value : raw);
    if (a !== undefined) setAttribute(out, k, a);
  }
  return out;
}

/**
 * The base of a record that names its release, environment, host, service and user in its own
 * attributes (log items, streamed spans): `sentry.release`, `sentry.environment`,
 * `server.address`, `service`, `user.id`/`user.email`/`user.name`, read as an event's fields
 * are. Bases are shared through `cache` (one resource object per distinct base).
 */
export function baseFromAttributes(attributes: Attributes, project: string, cache: Map<string, EventBase>): EventBase {
  const like = {
    release: attributes['sentry.release'],
    environment: attributes['sentry.environment'],
    server_name: attributes['server.address'],
    tags: { service: attributes.service },
    user: { id: attributes['user.id'], email: attributes['user.email'], username: attributes['user.name'] },
    sdk: { name: attributes['sentry.sdk.name'], version: attributes['sentry.sdk.version'] },
  };
  const key = JSON.stringify(like);
  let base = cache.get(key);
  if (!base) {
    base = eventBase(like, project);
    cache.set(key, base);
  }
  return base;
}
