// The published schema of investigate@5's JSON (investigate@2, @3 and @4 runs validate too), as zod (to validate) and as JSON Schema
// (docs/investigation.schema.json, and GET /api/investigations/schema). It mirrors the
// types in investigation.ts, with the findings' union from findings.ts; a test checks stored
// runs against it, and `npm run schema` writes the file from it.
import { z } from 'zod';
import { findingSchema } from './findings.js';
import { INVESTIGATE_ALGORITHM, INVESTIGATE_ALGORITHMS } from './investigation.js';

const iso = z.string().describe('ISO-8601 timestamp');

export const subjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ticket'), ticketId: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('alert'), service: z.string(), endpoint: z.string().optional(), since: iso }).strict(),
  z.object({ kind: z.literal('problem'), problemId: z.number().int().positive() }).strict(),
]);

export const investigationResultSchema = z
  .object({
    algorithm: z.enum(INVESTIGATE_ALGORITHMS).describe('the id of the run that made it: stored runs keep theirs'),
    algorithms: z
      .object({
        rca: z.string().optional(),
        'similar-tickets': z.string().optional(),
        'localize-text': z.string().optional(),
        patterns: z.string(),
        errors: z.string(),
      })
      .strict()
      .optional()
      .describe('the ids of the algorithms the run used (absent from investigate@2 runs)'),
    subject: subjectSchema,
    window: z
      .object({ since: iso, until: iso, onset: iso.nullable(), baselineSince: iso, baselineUntil: iso })
      .strict(),
    summary: z.string().describe('deterministic, citing finding ids in brackets: [F3]'),
    findings: z.array(findingSchema),
    priority: z
      .object({ score: z.number(), formula: z.string(), inputs: z.record(z.string(), z.number()) })
      .strict()
      .nullable(),
    narrative: z
      .object({ text: z.string(), model: z.string(), citations: z.array(z.string().regex(/^F\d+$/)) })
      .strict()
      .nullable()
      .describe('from the optional LLM, only when it passed the citation check'),
    gaps: z.array(z.string()).describe('steps that could not run, and why'),
  })
  .strict();

export const investigationSchema = z
  .object({
    id: z.number().int().positive(),
    problemId: z.number().int().positive().nullable(),
    createdAt: iso,
    previousId: z.number().int().positive().nullable(),
    result: investigationResultSchema,
    diff: z
      .object({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        changed: z.array(z.object({ title: z.string(), from: z.number(), to: z.number() }).strict()),
      })
      .strict()
      .nullable(),
  })
  .strict();

/** The JSON Schema (draft 2020-12) of a stored investigation. */
export function investigationJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://orrery.dev/schemas/investigation.schema.json',
    title: `Orrery investigation (${INVESTIGATE_ALGORITHM})`,
    ...z.toJSONSchema(investigationSchema),
  };
}
