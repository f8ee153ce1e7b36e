// Which grammar parses a file, decided by its extension alone.
import type { CodeLanguage } from './types.js';

const BY_EXTENSION: Record<string, CodeLanguage> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  go: 'go',
  java: 'java',
  cs: 'csharp',
  rs: 'rust',
  rb: 'ruby',
  rake: 'ruby',
  php: 'php',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
};

/** Languages Orrery recognizes but cannot parse (no grammar ships in
 *  @vscode/tree-sitter-wasm): their files are listed, and a sync says why they are not parsed. */
const UNPARSED: Record<string, string> = {
  kt: 'kotlin',
  kts: 'kotlin',
  ex: 'elixir',
  exs: 'elixir',
};

export const UNPARSED_REASON = 'no tree-sitter grammar for it ships in @vscode/tree-sitter-wasm';

/** A language Orrery knows but does not parse (kotlin, elixir), or null. */
export function unparsedLanguageOf(path: string): string | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return UNPARSED[base.slice(dot + 1).toLowerCase()] ?? null;
}

/** The language of a path, or null when Orrery has no grammar for it. */
export function languageOf(path: string): CodeLanguage | null {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? null;
}
