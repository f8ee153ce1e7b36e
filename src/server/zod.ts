// Fastify validation with Zod schemas: routes declare `schema: { querystring: z.object(...) }`
// and receive the parsed, typed value; a failure is a 400 naming the field.
import type { FastifySchemaCompiler } from 'fastify';
import { type ZodType, z } from 'zod';
import { type TimeArgError, parseTimeArg } from '../analysis/index.js';

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const r = schema.safeParse(data);
    if (r.success) return { value: r.data };
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { error: new Error(msg) };
  };

/** A time as people type it (ISO, epoch ms, or an age like 15m), parsed against the server's clock. */
export const timeArg = z
  .string()
  .max(64)
  .transform((s, c) => {
    try {
      return parseTimeArg(s, new Date());
    } catch (err) {
      c.addIssue({ code: 'custom', message: (err as TimeArgError).message });
      return z.NEVER;
    }
  });
