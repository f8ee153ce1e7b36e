// Which token role each route needs, in one table, and what a role grants. Auth (auth.ts and
// the webhook routes) checks it after the token is verified; anonymous loopback requests act
// as admin and are not checked (approving still needs an identified approver: workflows/proposals).
import type { ApiToken, TokenRole } from '../model/index.js';

/**
 * Routes by `METHOD /path` as Fastify registers them. A route not listed needs `viewer` when it
 * only reads (GET, HEAD) and `admin` otherwise, so a new state-changing route is closed until
 * it is given a role here (test/roles.test.ts fails on one that is not).
 */
export const ROUTE_ROLES: Readonly<Record<string, TokenRole>> = {
  // Data in, from SDKs and senders.
  'POST /v1/logs': 'ingest',
  'POST /v1/traces': 'ingest',
  'POST /v1/metrics': 'ingest',
  'POST /webhooks/github': 'ingest',
  'POST /webhooks/jira': 'ingest',
  'POST /webhooks/zendesk': 'ingest',
  'POST /webhooks/linear': 'ingest',
  // Sentry SDKs: only a project's DSN key (server/sentry-routes checks it and its project).
  'POST /api/:project/envelope/': 'sentry-ingest',
  'POST /api/:project/envelope': 'sentry-ingest',
  'POST /api/:project/store/': 'sentry-ingest',
  'POST /api/:project/store': 'sentry-ingest',
  // Questions read only: a viewer may ask.
  'POST /api/ask': 'viewer',
  // Work a person or a CI job asks for: analysis runs and world-model facts.
  'POST /api/investigations': 'operator',
  'POST /api/simulations': 'operator',
  'POST /api/triage': 'operator',
  'POST /api/simulations/change': 'operator',
  'POST /api/reviews': 'operator',
  'POST /api/tickets': 'operator',
  'POST /api/tickets/import': 'operator',
  'POST /api/deploys': 'operator',
  'POST /api/infra/import': 'operator',
  'POST /api/repos/:name/sync': 'operator',
  // Remediation: anyone who runs investigations proposes and runs approved proposals; only an
  // approver decides (and the workflow checks the token's own role too: admin is not enough).
  'POST /api/proposals': 'operator',
  'POST /api/proposals/:id/execute': 'operator',
  'POST /api/proposals/:id/undo': 'operator',
  'POST /api/proposals/:id/approve': 'approver',
  'POST /api/proposals/:id/reject': 'approver',
  // MCP: any reader may speak it; each tool then needs its own API route's role (server/mcp).
  'POST /mcp': 'viewer',
  'DELETE /mcp': 'viewer',
  // Access and setup.
  'POST /api/repos': 'admin',
  'GET /api/tokens': 'admin',
  'POST /api/tokens': 'admin',
  'DELETE /api/tokens/:id': 'admin',
  'GET /api/sentry/projects': 'admin',
  'POST /api/sentry/projects': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/audit/verify': 'admin',
  'GET /api/audit/export': 'admin',
};

/**
 * What each role includes besides itself. `ingest` is apart: only `admin` includes it. `approver`
 * is apart the other way: admin does not include it, so that whoever manages tokens cannot also
 * approve remediations with the same token; an approval comes from a token made for approving.
 */
const INCLUDES: Record<TokenRole, readonly TokenRole[]> = {
  ingest: [],
  viewer: [],
  operator: ['viewer'],
  approver: ['operator', 'viewer'],
  admin: ['ingest', 'viewer', 'operator'],
  'sentry-ingest': [],
};

export function grants(have: TokenRole, need: TokenRole): boolean {
  return have === need || INCLUDES[have].includes(need);
}

/** The role a request needs, from its route (`url` is the route's pattern, not the path sent). */
export function requiredRole(method: string, url: string | undefined): TokenRole {
  const m = method.toUpperCase();
  const listed = url === undefined ? undefined : ROUTE_ROLES[`${m} ${url}`];
  if (listed) return listed;
  return m === 'GET' || m === 'HEAD' ? 'viewer' : 'admin';
}

/** Why this token may not use a route that needs `need`, or null when it may. */
export function roleRefusal(token: ApiToken, need: TokenRole): string | null {
  if (grants(token.role, need)) return null;
  return `this needs a token with the "${need}" role (or one that includes it); the token "${token.name}" has "${token.role}"`;
}

/**
 * Whether a live token of this role lets someone work the server (so `orrery up` needs no
 * bootstrap token): every role but `sentry-ingest`, the public key of a DSN.
 */
export function worksTheServer(role: TokenRole): boolean {
  return role !== 'sentry-ingest';
}
