// Code extraction against the fixture matrix in test/fixtures/code/<language>/: each source
// file sits next to <file>.expected.json with its symbols, log call sites and routes.
// TS/JS sources carry an extra `.txt` so the project's own tsc and biome leave them alone.
// Run with UPDATE_FIXTURES=1 to rewrite the expected files after a deliberate change
// (then read the diff: it is the review).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { Language, Parser } from 'web-tree-sitter';
import { type FileExtraction, compileQueries, extractFromTree, languageOf, toTemplate } from '../src/analysis/index.js';
import { type CodeParsers, loadCodeParsers } from '../src/ingest/sources/git/grammars.js';

const ROOT = join(import.meta.dirname, 'fixtures', 'code');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

function fixtureFiles(): string[] {
  return readdirSync(ROOT)
    .flatMap((dir) => readdirSync(join(ROOT, dir)).map((f) => `${dir}/${f}`))
    .filter((f) => !f.endsWith('.json'))
    .sort();
}

/** One JSON object per line: diffs of the expected files stay readable. */
function render(r: FileExtraction): string {
  const list = (xs: object[]) =>
    xs.length ? `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]` : '[]';
  return `{\n  "symbols": ${list(r.symbols)},\n  "callsites": ${list(r.callsites)},\n  "routes": ${list(r.routes)},\n  "grpc": ${list(r.grpc)}\n}\n`;
}

let parsers: CodeParsers;
before(async () => {
  parsers = await loadCodeParsers();
});

describe('code extraction fixtures', () => {
  const results = new Map<string, FileExtraction>();

  for (const file of fixtureFiles()) {
    it(file, () => {
      const name = file.replace(/\.txt$/, '');
      const language = languageOf(name);
      assert.ok(language, `no language for ${file}`);
      const actual = parsers.parse(language, readFileSync(join(ROOT, file), 'utf8'));
      results.set(file, actual);
      const expectedPath = join(ROOT, `${name}.expected.json`);
      if (UPDATE) writeFileSync(expectedPath, render(actual));
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as FileExtraction;
      assert.deepEqual(actual, expected);
    });
  }

  it('covers every route framework and logger family at least once', () => {
    const all = [...results.values()];
    const frameworks = new Set(all.flatMap((r) => r.routes.map((x) => x.framework)));
    for (const f of [
      'express',
      'koa-router',
      'fastify',
      'nestjs',
      'flask',
      'fastapi',
      'django',
      'net/http',
      'gorilla/mux',
      'chi',
      'gin',
      'echo',
      'spring',
      'jax-rs',
      'aspnet',
      'axum',
      'actix-web',
      'sinatra',
      'rails',
      'slim',
      'laravel',
      'crow',
      'cpp-httplib',
    ]) {
      assert.ok(frameworks.has(f), `no fixture route for ${f}`);
    }
    const loggers = new Set(all.flatMap((r) => r.callsites.map((c) => c.logger)));
    for (const l of [
      'console',
      'logger',
      'this.logger',
      'request.log',
      'logging',
      'self.log',
      'log',
      's.sugar',
      'slog',
      'logrus',
      'LOGGER',
      'LOG',
    ]) {
      assert.ok(loggers.has(l), `no fixture call site logged through ${l}`);
    }
    const levels = new Set(all.flatMap((r) => r.callsites.map((c) => c.level)));
    assert.deepEqual([...levels].sort(), ['debug', 'error', 'fatal', 'info', 'warn', null].sort());
  });
});

describe('extraction edge cases', () => {
  it('shares one set of parsers per process', async () => {
    assert.equal(await loadCodeParsers(), parsers);
  });

  it('extracts what parsed from a file with syntax errors instead of throwing', () => {
    const r = parsers.parse('typescript', 'export function ok() {\n  logger.info("fine");\n}\nfunction broken( {\n');
    assert.deepEqual(r.symbols[0], { name: 'ok', kind: 'function', parent: null, startLine: 1, endLine: 3 });
    assert.equal(r.callsites[0]?.template, 'fine');
  });

  it('returns empty results for empty, binary-looking and non-code input', () => {
    for (const language of [
      'typescript',
      'tsx',
      'javascript',
      'python',
      'go',
      'java',
      'csharp',
      'rust',
      'ruby',
      'php',
      'cpp',
    ] as const) {
      assert.deepEqual(parsers.parse(language, ''), { symbols: [], callsites: [], routes: [], grpc: [] });
      const junk = parsers.parse(language, '\u0000\u0001\uFFFD}}{{ ))) .info( .get( @GetMapping');
      assert.deepEqual(junk.callsites, []);
      assert.deepEqual(junk.routes, []);
    }
  });

  it('rejects a language it has no grammar for with a clear error', () => {
    assert.throws(() => parsers.parse('kotlin' as never, 'fun main() {}'), /no grammar for language "kotlin"/);
  });

  it('gives the same answer when the same source is parsed twice (trees are freed, not reused)', () => {
    const src = readFileSync(join(ROOT, 'go/server.go'), 'utf8');
    assert.deepEqual(parsers.parse('go', src), parsers.parse('go', src));
  });

  it('counts lines the same after astral characters (UTF-16 surrogate pairs)', () => {
    const literal = '`x $' + '{"🚀"} y`';
    const r = parsers.parse(
      'javascript',
      `// 🚀🚀🚀\nconst a = "🚀"; function f() {\n  console.warn(${literal});\n}\n`,
    );
    assert.deepEqual(r.callsites, [
      { line: 3, logger: 'console', level: 'warn', template: 'x <*> y', raw: literal, symbol: 'f' },
    ]);
  });

  it('refuses queries compiled for another language', async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-go.wasm');
    const grammar = await Language.load(readFileSync(wasm));
    const parser = new Parser();
    parser.setLanguage(grammar);
    const tree = parser.parse('package main')!;
    try {
      assert.throws(
        () => extractFromTree(tree, 'python', compileQueries('go', grammar), 'package main'),
        /compiled for go, not python/,
      );
    } finally {
      tree.delete();
      parser.delete();
    }
  });
});

describe('languageOf', () => {
  it('maps extensions to grammars', () => {
    const cases: Array<[string, string | null]> = [
      ['src/a.ts', 'typescript'],
      ['a.mts', 'typescript'],
      ['a.cts', 'typescript'],
      ['types/x.d.ts', 'typescript'],
      ['ui/App.tsx', 'tsx'],
      ['a.js', 'javascript'],
      ['a.mjs', 'javascript'],
      ['a.cjs', 'javascript'],
      ['a.jsx', 'javascript'],
      ['app/views.py', 'python'],
      ['cmd/main.go', 'go'],
      ['src/main/java/A.java', 'java'],
      ['A.JAVA', 'java'],
      ['README.md', null],
      ['Makefile', null],
      ['.ts', null],
      ['dir.ts/file', null],
    ];
    for (const [path, lang] of cases) assert.equal(languageOf(path), lang, path);
  });
});

describe('toTemplate', () => {
  it('turns every placeholder style into <*>', () => {
    const cases: Array<[string, string]> = [
      ['user %s failed %d times', 'user <*> failed <*> times'],
      ['%v %+v %#v %q %f %.2f %x %5d %-8s', '<*> <*> <*> <*> <*> <*> <*> <*> <*>'],
      ['loading %(cart)s for %(user)r', 'loading <*> for <*>'],
      ['user {} failed', 'user <*> failed'],
      ['user {name} failed {0} {value!r:>8}', 'user <*> failed <*> <*>'],
      ['100%% done, 50% left', '100% done, 50% left'],
      ['  spaced\n\tout  ', 'spaced out'],
      ['json {"a": 1}', 'json {"a": 1}'],
    ];
    for (const [input, want] of cases) assert.equal(toTemplate(input), want, input);
  });
});
