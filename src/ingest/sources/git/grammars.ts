// Loads the prebuilt tree-sitter grammars (wasm from @vscode/tree-sitter-wasm) once and
// hands out parsers that run the pure extractor in analysis/code on each file.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import {
  type CodeLanguage,
  type CodeQueries,
  type FileExtraction,
  compileQueries,
  extractFromTree,
} from '../../../analysis/index.js';

export interface CodeParsers {
  /** Parses one file and extracts its symbols, log call sites and routes. Syntax errors
   *  do not throw: tree-sitter recovers and whatever parsed is extracted. */
  parse(language: CodeLanguage, source: string): FileExtraction;
  /** Parses one file and hands its tree and extraction to `use`; the tree is freed after. */
  inspect<T>(language: CodeLanguage, source: string, use: (tree: Tree, extraction: FileExtraction) => T): T;
}

const WASM_FILE: Record<CodeLanguage, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
  csharp: 'tree-sitter-c-sharp.wasm',
  rust: 'tree-sitter-rust.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  php: 'tree-sitter-php.wasm',
  cpp: 'tree-sitter-cpp.wasm',
};

function grammarDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
}

interface Loaded {
  parser: Parser;
  queries: CodeQueries;
}

let pending: Promise<CodeParsers> | undefined;

/** Loads every grammar and compiles every query once per process; later calls share them. */
export function loadCodeParsers(): Promise<CodeParsers> {
  pending ??= load().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

async function load(): Promise<CodeParsers> {
  await Parser.init();
  const dir = grammarDir();
  const languages = Object.keys(WASM_FILE) as CodeLanguage[];
  const loaded = new Map<CodeLanguage, Loaded>();
  await Promise.all(
    languages.map(async (language) => {
      const grammar = await Language.load(await readFile(join(dir, WASM_FILE[language])));
      const parser = new Parser();
      parser.setLanguage(grammar);
      loaded.set(language, { parser, queries: compileQueries(language, grammar) });
    }),
  );
  const inspect = <T>(language: CodeLanguage, source: string, use: (tree: Tree, x: FileExtraction) => T): T => {
    const entry = loaded.get(language);
    if (!entry) throw new Error(`no grammar for language "${language}"`);
    const tree = entry.parser.parse(source);
    if (!tree) throw new Error(`tree-sitter could not parse this ${language} source`);
    try {
      return use(tree, extractFromTree(tree, language, entry.queries, source));
    } finally {
      tree.delete();
    }
  };
  return {
    parse: (language, source) => inspect(language, source, (_tree, x) => x),
    inspect,
  };
}
