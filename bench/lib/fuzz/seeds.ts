// Realistic documents the mutators start from: the ticket conformance fixtures (each sender's
// webhook deliveries with their headers, and the export files) and the infra fixtures
// (Kubernetes manifests, `terraform show -json`). Read once from test/fixtures.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../paths.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

export interface WebhookSeed {
  headers: Record<string, string>;
  body: unknown;
}

let webhookCache: Map<string, WebhookSeed[]> | null = null;

/** Each ticket format's webhook deliveries (valid and invalid ones), with the headers they came with. */
export function webhookSeeds(format: string): WebhookSeed[] {
  webhookCache ??= new Map();
  const hit = webhookCache.get(format);
  if (hit) return hit;
  const dir = join(FIXTURES, 'tickets', format);
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.payload.json'))
    .sort()
    .map((f) => {
      const expected = JSON.parse(readFileSync(join(dir, f.replace('.payload.json', '.expected.json')), 'utf8')) as {
        headers?: Record<string, string>;
      };
      return { headers: expected.headers ?? {}, body: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown };
    });
  if (format === 'github') {
    // A GitHub App sends pull requests to the same URL; they are reviewed, not stored as tickets.
    seeds.push({
      headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'fuzz-pr' },
      body: {
        action: 'opened',
        number: 7,
        pull_request: {
          number: 7,
          base: { sha: 'a'.repeat(40), ref: 'main' },
          head: { sha: 'b'.repeat(40), ref: 'x' },
        },
        repository: { name: 'shop', full_name: 'acme/shop' },
        installation: { id: 1 },
      },
    });
  }
  webhookCache.set(format, seeds);
  return seeds;
}

export interface ExportSeed {
  file: string;
  content: string;
}

/** Every ticket export file of the fixtures (CSV and JSON, every sender). */
export function exportSeeds(): ExportSeed[] {
  const out: ExportSeed[] = [];
  for (const format of readdirSync(join(FIXTURES, 'tickets'), { withFileTypes: true })) {
    if (!format.isDirectory()) continue;
    const dir = join(FIXTURES, 'tickets', format.name);
    for (const f of readdirSync(dir).sort())
      if (/\.export\.(csv|json)$/.test(f)) out.push({ file: f, content: readFileSync(join(dir, f), 'utf8') });
  }
  return out;
}

/** Each infra fixture's documents as data: Kubernetes objects (one per YAML document) and terraform show output. */
export function infraSeeds(): unknown[] {
  const out: unknown[] = [];
  for (const sub of ['k8s', 'terraform']) {
    const dir = join(FIXTURES, 'infra', sub);
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.json')) out.push(JSON.parse(text));
      else for (const d of YAML.parseAllDocuments(text)) out.push(d.toJS());
    }
  }
  return out.filter((d) => d !== null && d !== undefined);
}
