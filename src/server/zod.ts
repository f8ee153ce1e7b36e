// Fastify validation with Zod schemas: routes declare `schema: { querystring: z.object(...) }`
// and receive the parsed, typed value; a failure is a 400 naming the field.
import type { FastifySchemaCompiler } from 'fastify';
import type { ZodType } from 'zod';

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const r = schema.safeParse(data);
    if (r.success) return { value: r.data };
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { error: new Error(msg) };
  };
