// Audit trail routes (admin only, in roles.ts): the newest entries, the chain's check, and the
// whole trail as JSON lines for keeping elsewhere.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditEntries, exportAudit, verifyAudit } from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }).strict();

export async function auditRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.get('/api/audit', { schema: { querystring: listQuery } }, async (req) => ({
    entries: await auditEntries(ctx, { limit: (req.query as z.output<typeof listQuery>).limit }),
  }));

  // 200 either way: the answer is the check's result (`ok`, `problems`), not whether it ran.
  app.get('/api/audit/verify', async () => ({ verification: await verifyAudit(ctx) }));

  app.get('/api/audit/export', async (_req, reply) => {
    const entries = await exportAudit(ctx);
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .send(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });
}
