// Reads `git diff -U0 -M` output: per file, its old and new path, what happened to it, and
// the line ranges each hunk replaced. Only the headers are read; the lines themselves are not
// needed (the units a hunk touches come from the parsed files at both revisions).
import type { DiffHunk, FileDiff } from './types.js';

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Git's C-style quoting of a path (`"a\tb"`), undone; an unquoted path as is. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const named: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      for (const b of new TextEncoder().encode(ch)) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(Number.parseInt(oct, 8));
      i += oct.length;
    } else {
      bytes.push(named[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** `a/src/x.ts` → `src/x.ts`; `/dev/null` → null. */
function sidePath(text: string, prefix: 'a/' | 'b/'): string | null {
  const p = unquotePath(text.replace(/\t$/, ''));
  if (p === '/dev/null') return null;
  return p.startsWith(prefix) ? p.slice(prefix.length) : p;
}

/** The two paths of `diff --git a/x b/x` when they are the same (a binary or mode-only change). */
function headerPaths(line: string): { a: string; b: string } | null {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|\S.*)$/.exec(rest);
    if (!m) return null;
    return { a: sidePath(m[1]!, 'a/') ?? '', b: sidePath(m[2]!, 'b/') ?? '' };
  }
  // Unquoted: "a/P b/P" with the same P on both sides.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.slice(2) === b.slice(2)) return { a: a.slice(2), b: b.slice(2) };
  }
  return null;
}

/** Parses the output of `git diff -U0 -M --no-color base head`. */
export function parseUnifiedDiff(text: string): FileDiff[] {
  const out: FileDiff[] = [];
  let cur: FileDiff | null = null;
  let header: { a: string; b: string } | null = null;
  const finish = () => {
    if (!cur) return;
    if (cur.oldPath === null && cur.newPath === null && header) {
      cur.oldPath = cur.status === 'added' ? null : header.a;
      cur.newPath = cur.status === 'deleted' ? null : header.b;
    }
    if (cur.oldPath !== null || cur.newPath !== null) out.push(cur);
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      finish();
      header = headerPaths(line);
      cur = { oldPath: null, newPath: null, status: 'modified', binary: false, hunks: [] };
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('@@')) {
      const m = HUNK.exec(line);
      if (!m) continue;
      const hunk: DiffHunk = {
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newCount: m[4] === undefined ? 1 : Number(m[4]),
      };
      cur.hunks.push(hunk);
    } else if (cur.hunks.length > 0) {
      // Hunk body (+, -, space, "\ No newline"): headers only come before the first hunk.
    } else if (line.startsWith('new file mode')) {
      cur.status = 'added';
    } else if (line.startsWith('deleted file mode')) {
      cur.status = 'deleted';
    } else if (line.startsWith('rename from ')) {
      cur.status = 'renamed';
      cur.oldPath = unquotePath(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) {
      cur.status = 'renamed';
      cur.newPath = unquotePath(line.slice('rename to '.length));
    } else if (line.startsWith('--- ')) {
      const p = sidePath(line.slice(4), 'a/');
      if (p === null) cur.status = 'added';
      else cur.oldPath ??= p;
    } else if (line.startsWith('+++ ')) {
      const p = sidePath(line.slice(4), 'b/');
      if (p === null) cur.status = 'deleted';
      else cur.newPath ??= p;
    } else if (line.startsWith('Binary files ')) {
      cur.binary = true;
    }
  }
  finish();
  for (const f of out) {
    if (f.status === 'added') f.oldPath = null;
    if (f.status === 'deleted') f.newPath = null;
    if (f.status === 'modified' && f.oldPath === null) f.oldPath = f.newPath;
    if (f.status === 'modified' && f.newPath === null) f.newPath = f.oldPath;
  }
  return out;
}
