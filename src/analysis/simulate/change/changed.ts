// Diff hunks → changed units. A hunk touching a unit's lines at either revision changes the
// innermost unit holding each touched line; a unit only at head was added, one only at base
// removed. Lines with nothing but whitespace and comments change nothing; a changed import
// changes the units that use the names it binds.
import { unitAtLine } from './code-facts.js';
import type { ChangedUnit, CodeUnit, FileCode, FileDiff } from './types.js';

interface Side {
  code: FileCode | null;
  /** Touched lines at this revision. */
  lines: number[];
}

function touched(diff: FileDiff): { base: number[]; head: number[] } {
  const base: number[] = [];
  const head: number[] = [];
  for (const h of diff.hunks) {
    for (let l = h.oldStart; l < h.oldStart + h.oldCount; l++) base.push(l);
    for (let l = h.newStart; l < h.newStart + h.newCount; l++) head.push(l);
    // A pure insertion or deletion also touches the unit around the gap it leaves.
    if (h.oldCount === 0 && h.oldStart > 0) base.push(-h.oldStart);
    if (h.newCount === 0 && h.newStart > 0) head.push(-h.newStart);
  }
  return { base, head };
}

/** The units the touched lines of one side fall in, by key, with the lines each got. */
function unitsTouched(side: Side): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const code = side.code;
  if (!code) return out;
  const quiet = new Set(code.quietLines);
  const hit = (unit: number, line: number) => {
    const key = code.units[unit]!.key;
    const list = out.get(key);
    if (list) list.push(line);
    else out.set(key, [line]);
  };
  for (const l of side.lines) {
    if (l < 0) {
      // The gap after line -l: the innermost unit holding both of its neighbours.
      const a = unitAtLine(code, -l);
      const b = unitAtLine(code, -l + 1);
      if (a === b && a !== 0) hit(a, -l);
      continue;
    }
    if (quiet.has(l)) continue;
    if (code.imports.some((i) => i.line === l)) continue;
    hit(unitAtLine(code, l), l);
  }
  return out;
}

function ranges(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `line${sorted.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

function span(u: CodeUnit | undefined): { startLine: number; endLine: number } | null {
  return u ? { startLine: u.startLine, endLine: u.endLine } : null;
}

/** Locals whose import changed: bindings on touched lines at either side, by name. */
function changedImports(base: Side, head: Side): Set<string> {
  const out = new Set<string>();
  for (const side of [base, head]) {
    if (!side.code) continue;
    const lines = new Set(side.lines.filter((l) => l > 0));
    for (const i of side.code.imports) if (lines.has(i.line)) out.add(i.local);
  }
  // A binding present on both sides with the same source and name did not change.
  for (const local of [...out]) {
    const a = base.code?.imports.find((i) => i.local === local);
    const b = head.code?.imports.find((i) => i.local === local);
    if (a && b && a.source === b.source && a.imported === b.imported) out.delete(local);
  }
  return out;
}

/**
 * The units one file's change touched. `base` and `head` are the file at each side (null when
 * it does not exist there, or its language is not parsed).
 */
export function changedUnits(diff: FileDiff, base: FileCode | null, head: FileCode | null): ChangedUnit[] {
  const lines = touched(diff);
  const baseSide: Side = { code: base, lines: diff.status === 'added' ? [] : lines.base };
  const headSide: Side = { code: head, lines: diff.status === 'deleted' ? [] : lines.head };
  const atBase = unitsTouched(baseSide);
  const atHead = unitsTouched(headSide);
  const baseUnits = new Map((base?.units ?? []).map((u) => [u.key, u]));
  const headUnits = new Map((head?.units ?? []).map((u) => [u.key, u]));
  const path = (head ?? base)!.path;
  const out: ChangedUnit[] = [];
  const seen = new Set<string>();
  const emit = (key: string, why: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const b = baseUnits.get(key);
    const h = headUnits.get(key);
    const u = (h ?? b)!;
    out.push({
      path,
      key,
      name: u.name,
      kind: u.kind,
      change: h && b ? 'modified' : h ? 'added' : 'removed',
      why,
      base: span(b),
      head: span(h),
    });
  };
  // Units at one side only: added or removed whether or not a hunk is inside them.
  for (const [key, u] of headUnits) if (!baseUnits.has(key) && u.kind !== 'module') emit(key, 'new at head');
  for (const [key, u] of baseUnits) if (!headUnits.has(key) && u.kind !== 'module') emit(key, 'gone at head');
  for (const [key, l] of atHead) emit(key, `${ranges(l.map(Math.abs))} at head`);
  for (const [key, l] of atBase) emit(key, `${ranges(l.map(Math.abs))} at base`);
  const imports = changedImports(baseSide, headSide);
  if (head && imports.size) {
    for (const r of head.refs) {
      const name = r.member ? r.receiver : r.name;
      if (name === null || !imports.has(name)) continue;
      emit(head.units[r.unit]!.key, `its import of ${name} changed`);
    }
  }
  return out;
}
