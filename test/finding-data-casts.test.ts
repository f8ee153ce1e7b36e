// No cast of a finding's `data`: the UI and the workflows read findings through the typed union
// (findingsOf, narrowing on kind and isRcaSignal), so a field that drifts or never existed stops
// the build instead of showing "undefined". A scan of the source text, since a cast compiles.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../', import.meta.url).pathname;

/** What a cast or a coercion of finding data looks like in the source. */
const CASTS: Array<[string, RegExp]> = [
  ['`data as …`', /\bdata\s+as\s/],
  ['`.data.<field> as …`', /\.data(?:\??\.[A-Za-z_$][\w$]*)+\s*\)?\s+as\s/],
  ['`String(…data…)`-style coercion', /\b(?:String|Number|Boolean)\(\s*[\w$?.!]*\.data\b/],
  ['`(… .data …) as`', /\(\s*[\w$?.!]*\.data(?:\??\.[\w$]+)*\s*(?:\?\?[^)]*)?\)\s+as\s/],
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** `file:line: text — what` for each cast, comments skipped. */
function castsIn(text: string, file: string): string[] {
  const found: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) continue;
    for (const [what, re] of CASTS) if (re.test(line)) found.push(`${file}:${i + 1}: ${code} — ${what}`);
  }
  return found;
}

function scan(folder: string): string[] {
  return sources(join(root, folder)).flatMap((f) => castsIn(readFileSync(f, 'utf8'), f.slice(root.length)));
}

describe("no cast of a finding's data", () => {
  it('the scan finds the casts it is meant to catch, and not typed reads', () => {
    for (const bad of [
      'const owners = (place.data.owners as string[] | undefined) ?? [];',
      'const author = suspect?.data.authorName as string | null | undefined;',
      'const sha = String(f.data.sha);',
      'const start = Number(f.data.startLine ?? 1);',
      '<td className="impact-users">{num(f.data.users as number | null)}</td>',
      'related.data.tickets as Array<{ id: number }>',
      'const d = finding.data as Record<string, unknown>;',
      'series={(f.data.series as number[]) ?? []}',
    ])
      assert.equal(castsIn(bad, 'x.ts').length > 0, true, bad);
    for (const good of [
      "const roots = findingsOf(fs, 'root_cause_service').map((f) => f.data.service);",
      'const repo = f.data.repository ?? f.data.blame.find((b) => b.repository)?.repository ?? null;',
      '// a comment may say data as it likes',
      "const deps = useApi<{ deploys: Deploy[] }>('/api/deploys');",
    ])
      assert.deepEqual(castsIn(good, 'x.ts'), [], good);
  });

  it('src/web reads finding data without casts', () => {
    assert.deepEqual(scan('src/web'), []);
  });

  it('src/workflows and src/analysis/investigate read finding data without casts', () => {
    assert.deepEqual([...scan('src/workflows'), ...scan('src/analysis/investigate')], []);
  });
});
