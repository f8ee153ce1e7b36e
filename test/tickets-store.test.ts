// The ticket-store spec on PGlite (tickets-postgres.int.test.ts runs it on PostgreSQL): replayed
// and stale webhook deliveries, and chunked imports.
import { describe } from 'node:test';
import { freshPglite } from './helpers/stores.js';
import { ticketImportSpec, ticketReplaySpec } from './helpers/ticket-store-spec.js';

describe('tickets on PGlite: replayed and stale deliveries', () => ticketReplaySpec(() => freshPglite()));
describe('tickets on PGlite: chunked imports', () => ticketImportSpec(() => freshPglite()));
