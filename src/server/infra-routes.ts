// Infra API routes (registered inside the authenticated API context): import Kubernetes
// manifests and `terraform show -json` output, and list the stored resources.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InfraParseError } from '../ingest/sources/infra/index.js';
import { InfraImportInputError, importInfra, listInfraResources } from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';

/** An import carries whole manifest folders and Terraform state, so it may be larger than other API bodies. */
export const INFRA_IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const importBody = z.object({
  source: z.string().trim().min(1).max(1024).optional(),
  files: z
    .array(z.object({ path: z.string().min(1).max(4096), content: z.string() }))
    .min(1, 'give at least one file')
    .max(10_000),
});

const listQuery = z.object({
  service: z.string().min(1).max(256).optional(),
  kind: z.string().min(1).max(256).optional(),
  source: z.string().min(1).max(1024).optional(),
});

export async function infraRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post(
    '/api/infra/import',
    { bodyLimit: INFRA_IMPORT_BODY_LIMIT, schema: { body: importBody } },
    async (req, reply) => {
      const b = req.body as z.output<typeof importBody>;
      try {
        return reply.code(200).send(await importInfra(ctx, { files: b.files, source: b.source }));
      } catch (err) {
        if (err instanceof InfraParseError) {
          return reply.code(400).send({
            statusCode: 400,
            error: 'Bad Request',
            message: `${err.message} (nothing was imported)`,
            file: err.path,
            line: err.line,
          });
        }
        if (err instanceof InfraImportInputError)
          return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
        throw err;
      }
    },
  );

  app.get('/api/infra', { schema: { querystring: listQuery } }, async (req) => {
    const q = req.query as z.output<typeof listQuery>;
    return { resources: await listInfraResources(ctx, q) };
  });
}
