// Targets for the rest of what is imported: Kubernetes and Terraform files (parseInfraFiles and
// POST /api/infra/import), deploy records (POST /api/deploys) and Sentry envelopes and events
// (the parser, and the envelope and store routes, whose answers must agree with it).
import fc from 'fast-check';
import YAML from 'yaml';
import { InfraParseError, parseInfraFiles } from '../../../src/ingest/sources/infra/index.js';
import { damagedBytes, mutated } from './mutate.js';
import { infraSeeds } from './seeds.js';
import { readableSentry, sentryEnvelope, sentryEvent } from './sentry.js';
import { type Target, preview, verdict } from './target.js';

// --- infra -----------------------------------------------------------------------------------

/** YAML only a hostile sender writes: alias bombs, deep nesting, custom tags, merge keys, huge numbers. */
const HOSTILE_YAML = [
  `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
  `${'['.repeat(1000)}${']'.repeat(1000)}`,
  `kind: Deployment\nmetadata: !!js/function "function(){}"\n`,
  `kind: Deployment\nmetadata: {name: !!binary aGVsbG8=}\nspec: {replicas: 1e999}\n`,
  `base: &b {name: x}\nkind: Deployment\nmetadata: {<<: *b, <<: *b}\n`,
  `kind: Deployment\nmetadata: {name: x, __proto__: {polluted: true}}\nspec: {replicas: -99999999999999999999}\n`,
  `--- !!set\n? a\n--- !<tag:yaml.org,2002:omap>\n- a: 1\n`,
  `apiVersion: v1\nkind: List\nitems: [${'{kind: Deployment, metadata: {name: x}},'.repeat(50)}]\n`,
  `kind: Deployment\nmetadata:\n  name: x\n  labels: {"${'k'.repeat(70_000)}": v}\n`,
  '\ufeff\u0000---\n',
];

interface InfraInput {
  files: Array<{ path: string; content: string }>;
}

function infraFiles(): fc.Arbitrary<InfraInput> {
  const doc = mutated(infraSeeds());
  const file = fc.oneof(
    { weight: 4, arbitrary: doc.map((d) => ({ path: 'fuzz.yaml', content: safeYaml(d) })) },
    { weight: 3, arbitrary: doc.map((d) => ({ path: 'fuzz.json', content: JSON.stringify(d) ?? '' })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(damagedBytes(doc.map((d) => safeYaml(d))), fc.constantFrom('k.yaml', 'k.yml', 'k.json', 'K.JSON', ''))
        .map(([b, path]) => ({ path, content: b.toString('utf8') })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_YAML).map((content) => ({ path: 'hostile.yaml', content })) },
  );
  return fc.array(file, { minLength: 1, maxLength: 3 }).map((files) => ({ files }));
}

function safeYaml(d: unknown): string {
  try {
    return YAML.stringify(d);
  } catch {
    return JSON.stringify(d) ?? '';
  }
}

export const pureInfra: Target<InfraInput> = {
  name: 'infra/parse',
  kind: 'pure',
  weight: 2,
  arbitrary: infraFiles(),
  show: (i) => preview(i.files),
  run(i) {
    return {
      accepted: verdict(
        () => parseInfraFiles(i.files),
        (e) => e instanceof InfraParseError,
      ),
    };
  },
};

export const serverInfra: Target<InfraInput> = {
  name: 'infra/import-route',
  kind: 'server',
  weight: 1,
  arbitrary: infraFiles(),
  show: pureInfra.show,
  async run(i, s) {
    const res = await s.api('POST', '/api/infra/import', JSON.stringify({ source: 'fuzz-infra', files: i.files }), {
      'content-type': 'application/json',
    });
    if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
    return { status: res.status, accepted: res.status < 300 };
  },
};

// --- deploys -------------------------------------------------------------------------------

/** Deploy records as CI and GitHub Actions send them, to be mutated. */
const DEPLOY_SEEDS: unknown[] = [
  { service: 'fuzz-deploy', version: '2.0.1', commit: 'a1b2c3d4e5f6a7b8c9d0', environment: 'production' },
  {
    service: 'fuzz-deploy',
    version: 'v3',
    at: '2026-11-21T09:12:44Z',
    source: 'github-actions',
    attributes: { run: 42, actor: 'octocat', ref: 'refs/heads/main' },
  },
  { service: 'fuzz-deploy-b', version: '1', at: 1_790_000_000_000, commit: null },
];

export const serverDeploy: Target<Buffer> = {
  name: 'deploys/record-route',
  kind: 'server',
  weight: 1,
  arbitrary: damagedBytes(mutated(DEPLOY_SEEDS).map((d) => JSON.stringify(d) ?? 'null')),
  show: (b) => preview(b.toString('utf8')),
  async run(body, s) {
    const res = await s.api('POST', '/api/deploys', body, { 'content-type': 'application/json' });
    if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
    return { status: res.status, accepted: res.status < 300 };
  },
};

// --- Sentry ----------------------------------------------------------------------------------

export const pureSentry: Target<{ body: Buffer; store: boolean }> = {
  name: 'sentry/parse',
  kind: 'pure',
  weight: 2,
  arbitrary: fc.oneof(
    sentryEnvelope.map((body) => ({ body, store: false })),
    sentryEvent.map((e) => ({ body: Buffer.from(JSON.stringify(e)), store: true })),
  ),
  show: (i) => `${i.store ? 'store' : 'envelope'} ${preview(i.body)}`,
  run(i) {
    return { accepted: readableSentry(i.body, i.store) };
  },
};

/** The Sentry project the server targets send to (made by the seed). */
export const SENTRY_PROJECT = 'fuzz';

export function serverSentry(key: () => string): Target<{ body: Buffer; store: boolean }> {
  return {
    name: 'sentry/routes',
    kind: 'server',
    weight: 1,
    arbitrary: pureSentry.arbitrary,
    show: pureSentry.show,
    async run(i, s) {
      const res = await s.api('POST', `/api/${SENTRY_PROJECT}/${i.store ? 'store' : 'envelope'}/`, i.body, {
        'x-sentry-auth': `Sentry sentry_key=${key()}`,
        'content-type': i.store ? 'application/json' : 'application/x-sentry-envelope',
      });
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      if ((res.status === 200) !== readableSentry(i.body, i.store))
        return { status: res.status, fail: `answered ${res.status}, the parser disagrees: ${res.body.slice(0, 200)}` };
      return { status: res.status, accepted: res.status === 200 };
    },
  };
}
