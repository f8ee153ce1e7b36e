// A review as SARIF 2.1.0: one run of the `orrery` tool whose rules are review@1's risk rules
// (their sentences as descriptions) plus `production-context` for the notes on hot changed
// code; each reason is a result (high → error, medium → warning) at its changed lines when it
// has a place, and the tier, rollout and range ride in the run's properties.
import type { Review } from '../../model/index.js';
import { RULES } from './rules.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const CONTEXT_RULE = 'production-context';

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      rules: Array<{
        id: string;
        shortDescription: { text: string };
        fullDescription: { text: string };
        defaultConfiguration: { level: 'error' | 'warning' | 'note' };
      }>;
    };
  };
  versionControlProvenance?: Array<{ repositoryUri: string; revisionId: string }>;
  results: Array<{
    ruleId: string;
    ruleIndex: number;
    level: 'error' | 'warning' | 'note';
    message: { text: string };
    locations?: Array<{
      physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine: number } };
    }>;
    properties?: { evidence: Array<{ kind: string; ref: string; detail: string }> };
  }>;
  properties: { tier: string; rollout: string; base: string; head: string; asOf: string; algorithm: string };
}

export function reviewSarif(r: Review, opts: { repositoryUri?: string } = {}): SarifLog {
  const ids = [...Object.keys(RULES), CONTEXT_RULE] as const;
  const rules = ids.map((id) => {
    const rule = id === CONTEXT_RULE ? null : RULES[id as keyof typeof RULES];
    return {
      id,
      shortDescription: { text: id.replace(/-/g, ' ') },
      fullDescription: {
        text: rule?.says ?? "Production's measures of changed code: calls per minute, p95, tests that reach it.",
      },
      defaultConfiguration: {
        level: rule === null ? ('note' as const) : rule.tier === 'high' ? ('error' as const) : ('warning' as const),
      },
    };
  });
  const index = new Map(ids.map((id, i) => [id as string, i]));
  const location = (at: { path: string; startLine: number; endLine: number }) => [
    {
      physicalLocation: {
        artifactLocation: { uri: at.path },
        region: { startLine: at.startLine, endLine: Math.max(at.startLine, at.endLine) },
      },
    },
  ];
  const results: SarifRun['results'] = r.reasons.map((x) => ({
    ruleId: x.rule,
    ruleIndex: index.get(x.rule)!,
    level: x.tier === 'high' ? 'error' : 'warning',
    message: { text: `${x.finding}. ${x.says}` },
    ...(x.at ? { locations: location(x.at) } : {}),
    properties: { evidence: x.evidence.map((e) => ({ ...e })) },
  }));
  for (const a of r.annotations)
    if (a.level === 'notice')
      results.push({
        ruleId: CONTEXT_RULE,
        ruleIndex: index.get(CONTEXT_RULE)!,
        level: 'note',
        message: { text: `${a.title}: ${a.message}` },
        locations: location(a),
      });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'orrery', version: r.algorithm, rules },
        },
        ...(opts.repositoryUri
          ? { versionControlProvenance: [{ repositoryUri: opts.repositoryUri, revisionId: r.head }] }
          : {}),
        results,
        properties: {
          tier: r.tier,
          rollout: r.rollout.text,
          base: r.base,
          head: r.head,
          asOf: r.asOf,
          algorithm: r.algorithm,
        },
      },
    ],
  };
}
