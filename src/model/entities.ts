// The world-model entity kinds (DESIGN.md "The world model"). The store keeps one table
// per kind; later issues add the fields each analysis needs.

export const ENTITY_KINDS = [
  'service',
  'repository',
  'file',
  'symbol',
  'commit',
  'deploy',
  'endpoint',
  'log_pattern',
  'error_group',
  'end_user',
  'account',
  'ticket',
  'problem',
  'investigation',
  'proposal',
  'infra_resource',
] as const;

export type EntityKind = (typeof ENTITY_KINDS)[number];

/** The raw, retention-bound event tables. */
export const RAW_KINDS = ['log_record', 'span', 'metric_point'] as const;
export type RawKind = (typeof RAW_KINDS)[number];

/**
 * What a token may do. `viewer` ⊂ `operator` ⊂ `approver` and `operator` ⊂ `admin` (each adds to
 * the one before); `ingest` stands apart (data in: OTLP, webhooks, Sentry) and only `admin`
 * includes it. Admin does not include `approver`: approving a remediation needs a token made for it.
 * `sentry-ingest` is the key in a Sentry DSN: public, so it only posts events to its own project
 * (made by `orrery sentry project create`), and no other role includes it.
 */
export const TOKEN_ROLES = ['ingest', 'viewer', 'operator', 'approver', 'admin', 'sentry-ingest'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
/** The roles `orrery token create` and `POST /api/tokens` make; a DSN key comes with its Sentry project. */
export const GENERAL_TOKEN_ROLES = [
  'ingest',
  'viewer',
  'operator',
  'approver',
  'admin',
] as const satisfies readonly TokenRole[];

export interface ApiToken {
  id: number;
  name: string;
  role: TokenRole;
  /** The first characters of the token, for recognising it in a list; never enough to use it. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface StoreStatus {
  backend: 'pglite' | 'postgres';
  location: string;
  schemaVersion: number;
  retentionDays: number;
  entities: Record<EntityKind, number>;
  raw: Record<RawKind, { count: number; oldest: Date | null; newest: Date | null; partitions: number }>;
}
