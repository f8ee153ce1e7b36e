// Fastify validation with Zod schemas: routes declare `schema: { querystring: z.object(...) }`
// and receive the parsed, typed value; a failure is a 400 naming the field. Before any schema,
// every validated part (query, route parameters, JSON body) must hold only text PostgreSQL can
// store: a NUL or a lone surrogate anywhere, keys included, is a 400 naming where, so that
// no route can turn it into a failed statement (a 500) or a filter that can never match.
import type { FastifySchemaCompiler } from 'fastify';
import { type ZodType, z } from 'zod';
import { type TimeArgError, parseTimeArg } from '../analysis/index.js';
import { unstorableTextAt } from '../ingest/transforms/index.js';

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const bad = unstorableTextAt(data);
    if (bad) return { error: new Error(`${bad.path || '(root)'}: ${bad.problem}`) };
    const r = schema.safeParse(data);
    if (r.success) return { value: r.data };
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { error: new Error(msg) };
  };

/** A time as people type it (ISO, epoch ms, or an age like 15m), parsed against the server's clock; 1970 to 9999. */
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
