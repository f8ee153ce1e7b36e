// Loads the prebuilt tree-sitter grammars (wasm from @vscode/tree-sitter-wasm), each once
// per thread and only when asked for (a grammar is up to 5 MB of wasm to compile), and hands
// out parsers that run the pure extractor in analysis/code on each file.
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
  /** Loads the grammars of these languages (each once; later calls share the load). */
  load(languages: readonly CodeLanguage[]): Promise<void>;
  /** Parses one file and extracts its symbols, log call sites, routes and gRPC
   *  implementations; its language's grammar must be loaded. Syntax errors do not throw:
   *  tree-sitter recovers and whatever parsed is extracted. */
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

/** Every language Orrery has a grammar for. */
export const PARSED_LANGUAGES = Object.keys(WASM_FILE) as CodeLanguage[];

let pending: Promise<CodeParsers> | undefined;

/** The parsers of this thread, with the grammars of `languages` loaded (default: all). The
 *  runtime starts once per thread and each grammar loads once; later calls share them. */
export async function loadCodeParsers(languages: readonly CodeLanguage[] = PARSED_LANGUAGES): Promise<CodeParsers> {
  pending ??= start().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  const parsers = await pending;
  await parsers.load(languages);
  return parsers;
}

async function start(): Promise<CodeParsers> {
  await Parser.init();
  const dir = grammarDir();
  const loaded = new Map<CodeLanguage, Loaded>();
  const loading = new Map<CodeLanguage, Promise<void>>();
  const loadOne = (language: CodeLanguage): Promise<void> => {
    let p = loading.get(language);
    if (!p) {
      const file = WASM_FILE[language];
      if (file === undefined) return Promise.reject(new Error(`no grammar for language "${language}"`));
      p = (async () => {
        const grammar = await Language.load(await readFile(join(dir, file)));
        const parser = new Parser();
        parser.setLanguage(grammar);
        loaded.set(language, { parser, queries: compileQueries(language, grammar) });
      })();
      // A failed load may be tried again.
      p.catch(() => loading.delete(language));
      loading.set(language, p);
    }
    return p;
  };
  const inspect = <T>(language: CodeLanguage, source: string, use: (tree: Tree, x: FileExtraction) => T): T => {
    const entry = loaded.get(language);
    if (!entry)
      throw new Error(
        WASM_FILE[language] === undefined
          ? `no grammar for language "${language}"`
          : `the grammar for "${language}" is not loaded (call load first)`,
      );
    const tree = entry.parser.parse(source);
    if (!tree) throw new Error(`tree-sitter could not parse this ${language} source`);
    try {
      return use(tree, extractFromTree(tree, language, entry.queries, source));
    } finally {
      tree.delete();
    }
  };
  return {
    load: async (languages) => {
      await Promise.all(languages.map(loadOne));
    },
    parse: (language, source) => inspect(language, source, (_tree, x) => x),
    inspect,
  };
}
