// CODEOWNERS with GitHub's semantics: gitignore-style patterns, the last matching rule
// wins, and a rule with no owners leaves its paths unowned.

export interface CodeownerRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  /** `@user`, `@org/team` or an email, as written; empty to un-own. */
  owners: string[];
}

/**
 * Parses a CODEOWNERS file. Comments (`#` at a line start or after whitespace), blank
 * lines, GitLab section headers (`[Docs]`) and negated patterns (`!x`, which GitHub does
 * not support) are skipped; `\ ` escapes a space in a pattern.
 */
export function parseCodeowners(text: string): CodeownerRule[] {
  const rules: CodeownerRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || /^\^?\[[^\]]*\]/.test(line)) continue;
    const tokens: string[] = [];
    let current = '';
    for (let j = 0; j < line.length; j++) {
      const ch = line[j]!;
      if (ch === '\\' && j + 1 < line.length) {
        current += line[++j];
      } else if (ch === ' ' || ch === '\t') {
        if (current) tokens.push(current);
        current = '';
      } else if (ch === '#' && current === '') {
        break;
      } else {
        current += ch;
      }
    }
    if (current) tokens.push(current);
    const [pattern, ...owners] = tokens;
    if (!pattern || pattern.startsWith('!')) continue;
    rules.push({ line: i + 1, pattern, owners });
  }
  return rules;
}

const compiled = new Map<string, RegExp>();

function escapeRegex(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern as a regular expression over repository paths (no leading slash):
 * - a leading `/` or a slash inside anchors the pattern at the root; otherwise it matches
 *   at any depth;
 * - `*` and `?` stay within one path segment; `**` spans segments;
 * - a trailing `/` matches only directories (so everything under them);
 * - a match on a directory owns everything under it, except that `dir/*` owns only the
 *   files directly in `dir` (GitHub's documented deviation from gitignore).
 */
export function codeownersRegex(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  let p = pattern;
  const dirOnly = p.endsWith('/');
  p = p.replace(/\/+$/, '');
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  const segments = p.split('/');
  let body = '';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '**') {
      body += last ? '.*' : '(?:[^/]*/)*';
      return;
    }
    body += seg
      .split(/(\*+|\?)/)
      .map((part) => (part === '' ? '' : part === '?' ? '[^/]' : part.startsWith('*') ? '[^/]*' : escapeRegex(part)))
      .join('');
    if (!last) body += '/';
  });
  const directChildrenOnly = segments.length > 1 && segments[segments.length - 1] === '*';
  const tail = dirOnly ? '/.*' : directChildrenOnly ? '' : '(?:/.*)?';
  const re = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}${tail}$`);
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** The owners of a path under the rules: those of the last rule that matches, or none. */
export function ownersOf(path: string, rules: readonly CodeownerRule[]): string[] {
  const p = path.replace(/^\.?\/+/, '');
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (codeownersRegex(rule.pattern).test(p)) return [...rule.owners];
  }
  return [];
}
