// The findings of an investigation: one variant per kind, each with typed `data`. Zod first:
// the TypeScript types are inferred from these schemas, stored runs are validated by them, and
// docs/investigation.schema.json is generated from them (`npm run schema`). The analysis types
// that fill `data` (RcaSignal, CodeLocation, SuspectCommit, …) stay in src/analysis and must be
// assignable to these shapes: a drift stops `data: { ...loc }` from compiling. The typed reads
// (findingsOf, isRcaSignal) are in finding-reads.ts.
import { z } from 'zod';

/** The kinds of evidence, each naming the rows or the query that back a claim. */
export const EVIDENCE_KINDS = [
  'ticket',
  'log_pattern',
  'error_group',
  'endpoint',
  'edge',
  'deploy',
  'commit',
  'blame',
  'code',
  'span',
  'log',
  'users',
  'infra',
] as const;

export const evidenceSchema = z
  .object({
    kind: z.enum(EVIDENCE_KINDS),
    summary: z.string().describe('one line a person can read'),
    query: z.string().optional().describe('the API request (path and query) that shows the rows again'),
    ref: z
      .string()
      .optional()
      .describe('the identity of the object: a pattern key, a fingerprint, a deploy id, a commit SHA, a path:line'),
    rows: z.array(z.unknown()).optional().describe('a few source rows or figures, as stored'),
  })
  .strict()
  .meta({ id: 'Evidence' });

/** What an rca signal tested (rca's `SignalKind` is this list). */
export const SIGNAL_KINDS = [
  'latency',
  'error-rate',
  'traffic',
  'pattern',
  'error-pattern',
  'new-error-pattern',
  'error-group',
  'metric',
  'edge-latency',
  'edge-errors',
  'edge-fanout',
  'log-flow',
  'self-time',
  'edge-time',
  'edge-unanswered',
] as const;

// The published JSON Schema names the schemas given a `meta({ id })` under $defs (ids are global
// to zod's registry: one per schema). Readonly where the analysis types are (CodeLocation.owners, a text source's terms); it adds a
// `readOnly` annotation to the JSON Schema and nothing else.
const strings = z.array(z.string()).readonly();
const int = z.number().int();

export const rcaSignalData = z
  .object({
    kind: z.enum(SIGNAL_KINDS),
    service: z.string(),
    key: z
      .string()
      .describe('what was tested: an endpoint, a pattern key, a fingerprint, a metric name, "caller→callee"'),
    label: z.string().optional(),
    baseline: z.number(),
    incident: z.number(),
    unit: z.string().describe('what baseline and incident measure, e.g. "p50 ms"'),
    test: z.string().describe('the test that was run'),
    statistic: z.number().describe('signed: positive when the incident is above the baseline'),
    p: z.number(),
    q: z.number().describe('Benjamini–Hochberg adjusted p over all tests of the run'),
    weight: z.number().describe("what this signal adds to its service's score"),
  })
  .strict()
  .meta({ id: 'RcaSignal', description: 'one change rca tested between the baseline and the incident window' });

export const usersFailedData = z
  .object({
    users: z.array(z.string()),
    service: z.string(),
    errors: int,
    requests: int,
    firstError: z.string().nullable().describe('ISO-8601 timestamp'),
  })
  .strict()
  .meta({ id: 'UsersFailed', description: 'the failed requests of the users and accounts a ticket names' });

export const locationSourceData = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('frame'), position: int, frame: z.string(), errorGroup: z.string() }).strict(),
    z.object({ kind: z.literal('log_callsite'), template: z.string(), pattern: z.string() }).strict(),
    z.object({ kind: z.literal('route'), route: z.string(), endpoint: z.string() }).strict(),
    z.object({ kind: z.literal('changed'), sha: z.string(), lines: int, share: z.number() }).strict(),
    z.object({ kind: z.literal('loop_call'), sha: z.string(), line: int, edge: z.string() }).strict(),
    z.object({ kind: z.literal('suspect'), sha: z.string(), confidence: z.number() }).strict(),
    z.object({ kind: z.literal('text'), score: z.number(), terms: strings }).strict(),
  ])
  .meta({ id: 'LocationSource', description: 'why a hint points at a code location' });

const blamedLine = z
  .object({ repository: z.string(), path: z.string(), line: int, sha: z.string(), text: z.string() })
  .strict();

/** Each kind's `data`. */
export const findingData = {
  related_tickets: z
    .object({
      tickets: z.array(
        z
          .object({
            id: int,
            externalId: z.string(),
            score: z.number().optional().describe("similarity to the subject's ticket; absent for a problem's tickets"),
            duplicate: z.boolean().optional(),
          })
          .strict(),
      ),
    })
    .strict(),
  signal: z.union([rcaSignalData, usersFailedData]),
  root_cause_service: z
    .object({
      service: z.string(),
      score: z.number(),
      symptoms: z.array(z.string()).describe('the services that show this one upstream'),
      ranking: z
        .array(z.object({ service: z.string(), score: z.number(), symptomOf: z.array(z.string()) }).strict())
        .optional()
        .describe("the ranker's whole order; on the first root only"),
    })
    .strict(),
  change: z
    .object({
      deployId: int,
      service: z.string(),
      version: z.string(),
      commit: z.string().nullable(),
      previousCommit: z.string().nullable(),
      deployedAt: z.string().describe('ISO-8601 timestamp'),
    })
    .strict(),
  code_location: z
    .object({
      repository: z.string(),
      path: z.string(),
      symbol: z.string().nullable().describe('the function or class; null for the file as a whole'),
      startLine: int.nullable(),
      endLine: int.nullable(),
      owners: strings,
      score: z.number(),
      sources: z.array(locationSourceData).describe('the hints that point here'),
      hint: z.string(),
    })
    .strict(),
  suspect_commit: z
    .object({
      sha: z.string(),
      repository: z.string().optional().describe('absent in runs stored before a6ef954 (their blame names it)'),
      authorName: z.string().nullable(),
      committedAt: z.string().nullable(),
      subject: z.string(),
      score: z.number(),
      confidence: z.number(),
      hint: z.string(),
      blame: z.array(blamedLine).describe('lines of the localized code this commit last changed'),
      owners: z.array(z.string()),
      files: z.array(z.string()),
    })
    .strict(),
  load_change: z
    .object({
      service: z.string().describe('the service whose errors or latency followed the rise in its incoming load'),
      entry: z.string().describe('the entry endpoint whose rate rose most: "<service> <endpoint>"'),
      baselinePerMinute: z.number().describe("the entry endpoint's requests per minute in the baseline"),
      incidentPerMinute: z.number().describe('and in the window'),
      ratio: z.number().describe('incidentPerMinute ÷ baselinePerMinute'),
    })
    .strict(),
  impact: z
    .object({
      service: z.string(),
      users: int.nullable(),
      accounts: int.nullable(),
      activeUsers: int.nullable(),
      growth: z.number(),
      series: z.array(z.number()).describe('affected per bucket of the window'),
      tickets: int,
      severity: z.number(),
    })
    .strict(),
  next_step: z.discriminatedUnion('action', [
    z
      .object({ action: z.literal('rollback'), service: z.string(), from: z.string(), to: z.string(), deployId: int })
      .strict(),
    z
      .object({ action: z.literal('inspect'), path: z.string(), symbol: z.string().nullable(), owners: strings })
      .strict(),
    z.object({ action: z.literal('ask'), ask: z.array(z.string()) }).strict(),
  ]),
} as const;

const common = {
  id: z
    .string()
    .regex(/^F\d+$/)
    .describe('F1, F2, … in the order the steps produced them'),
  title: z.string(),
  confidence: z.number().min(0).max(1),
  hint: z.string().min(1).describe('why: the test, the join or the rule that produced it'),
  evidence: z.array(evidenceSchema).min(1).describe('never empty: nothing is stated without evidence'),
};

// Written out per kind: a generic helper loses the literal types inside zod's discriminatedUnion.
export const findingSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('related_tickets'), data: findingData.related_tickets }).strict(),
  z.object({ ...common, kind: z.literal('signal'), data: findingData.signal }).strict(),
  z.object({ ...common, kind: z.literal('root_cause_service'), data: findingData.root_cause_service }).strict(),
  z.object({ ...common, kind: z.literal('change'), data: findingData.change }).strict(),
  z.object({ ...common, kind: z.literal('code_location'), data: findingData.code_location }).strict(),
  z.object({ ...common, kind: z.literal('suspect_commit'), data: findingData.suspect_commit }).strict(),
  z.object({ ...common, kind: z.literal('load_change'), data: findingData.load_change }).strict(),
  z.object({ ...common, kind: z.literal('impact'), data: findingData.impact }).strict(),
  z.object({ ...common, kind: z.literal('next_step'), data: findingData.next_step }).strict(),
]);

export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export type Evidence = z.infer<typeof evidenceSchema>;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export type Finding = z.infer<typeof findingSchema>;
export type FindingKind = Finding['kind'];
export type FindingOf<K extends FindingKind> = Extract<Finding, { kind: K }>;
export type FindingData<K extends FindingKind> = FindingOf<K>['data'];
/** A finding before FindingList numbers it. Distributive: `Omit<Finding, 'id'>` would lose the kind↔data link. */
export type FindingDraft = Finding extends infer F ? (F extends Finding ? Omit<F, 'id'> : never) : never;
export type RcaSignalData = z.infer<typeof rcaSignalData>;
export type UsersFailedData = z.infer<typeof usersFailedData>;
export type LocationSourceData = z.infer<typeof locationSourceData>;
export type BlamedLineData = z.infer<typeof blamedLine>;
export type RelatedTicketsData = FindingData<'related_tickets'>;
export type SignalData = FindingData<'signal'>;
export type RootCauseData = FindingData<'root_cause_service'>;
export type ChangeData = FindingData<'change'>;
export type CodeLocationData = FindingData<'code_location'>;
export type SuspectCommitData = FindingData<'suspect_commit'>;
export type LoadChangeData = FindingData<'load_change'>;
export type ImpactData = FindingData<'impact'>;
export type NextStepData = FindingData<'next_step'>;

export const FINDING_KINDS: readonly FindingKind[] = findingSchema.options.map((o) => o.shape.kind.value);
