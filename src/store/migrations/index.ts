// The ordered, versioned migrations. Never edit one that has shipped: add the next.
import worldModel from './001-world-model.js';
import rawEvents from './002-raw-events.js';
import code from './003-code.js';
import tickets from './004-tickets.js';
import deploysInfra from './005-deploys-infra.js';
import analysis from './006-analysis.js';
import problems from './007-problems.js';
import patternFlows from './008-pattern-flows.js';
import spanAccount from './009-span-account.js';
import minuteByService from './010-minute-by-service.js';
import tokenRoles from './011-token-roles.js';
import webhookDeliveries from './012-webhook-deliveries.js';
import minuteCovering from './013-minute-covering.js';
import spanTimeMinute from './014-span-time-minute.js';
import simulations from './015-simulations.js';
import auditChain from './016-audit-chain.js';
import deployVerification from './017-deploy-verification.js';
import proposals from './018-proposals.js';
import proposalOutcome from './019-proposal-outcome.js';
import edgeVersion from './020-edge-version.js';
import ingestKeys from './021-ingest-keys.js';
import grpc from './022-grpc.js';
import sentryProjects from './023-sentry-projects.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'world-model', sql: worldModel },
  { version: 2, name: 'raw-events', sql: rawEvents },
  { version: 3, name: 'code', sql: code },
  { version: 4, name: 'tickets', sql: tickets },
  { version: 5, name: 'deploys-infra', sql: deploysInfra },
  { version: 6, name: 'analysis', sql: analysis },
  { version: 7, name: 'problems', sql: problems },
  { version: 8, name: 'pattern-flows', sql: patternFlows },
  { version: 9, name: 'span-account', sql: spanAccount },
  { version: 10, name: 'minute-by-service', sql: minuteByService },
  { version: 11, name: 'token-roles', sql: tokenRoles },
  { version: 12, name: 'webhook-deliveries', sql: webhookDeliveries },
  { version: 13, name: 'minute-covering', sql: minuteCovering },
  { version: 14, name: 'span-time-minute', sql: spanTimeMinute },
  { version: 15, name: 'simulations', sql: simulations },
  { version: 16, name: 'audit-chain', sql: auditChain },
  { version: 17, name: 'deploy-verification', sql: deployVerification },
  { version: 18, name: 'proposals', sql: proposals },
  { version: 19, name: 'proposal-outcome', sql: proposalOutcome },
  { version: 20, name: 'edge-version', sql: edgeVersion },
  { version: 21, name: 'ingest-keys', sql: ingestKeys },
  { version: 22, name: 'grpc', sql: grpc },
  { version: 23, name: 'sentry-projects', sql: sentryProjects },
];
