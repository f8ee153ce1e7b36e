// Definitions found in one file, nested by their source ranges, so that any position can
// be attributed to its innermost enclosing symbol (as `Class.method` for members).
import type { ExtractedSymbol, SymbolKind } from './types.js';

/** A definition before nesting is known. `parent: 'container'` means "the enclosing type,
 *  if the innermost enclosing symbol is one"; `memberInType` also turns a function
 *  defined directly in a type into a method (Python's def inside class). */
export interface SymbolDraft {
  name: string;
  kind: SymbolKind;
  parent: string | null | 'container';
  memberInType?: boolean;
  /** Source offsets (UTF-16 units, end exclusive) and 0-based rows. */
  start: number;
  end: number;
  startRow: number;
  endRow: number;
}

const TYPE_KINDS = new Set<SymbolKind>(['class', 'interface', 'enum', 'type']);

export class SymbolTable {
  readonly symbols: ExtractedSymbol[];
  private readonly starts: number[];
  private readonly ends: number[];
  /** Index of the innermost symbol whose range contains this one, or -1. */
  private readonly container: number[];

  constructor(drafts: SymbolDraft[]) {
    drafts.sort((a, b) => a.start - b.start || b.end - a.end);
    this.starts = drafts.map((d) => d.start);
    this.ends = drafts.map((d) => d.end);
    this.container = new Array<number>(drafts.length).fill(-1);
    this.symbols = [];
    const stack: number[] = [];
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i]!;
      while (stack.length > 0 && this.ends[stack[stack.length - 1]!]! <= d.start) stack.pop();
      const c = stack.length > 0 ? stack[stack.length - 1]! : -1;
      this.container[i] = c;
      stack.push(i);
      const enclosing = c >= 0 ? this.symbols[c]! : null;
      const inType = enclosing !== null && TYPE_KINDS.has(enclosing.kind);
      let kind = d.kind;
      let parent: string | null;
      if (d.parent === 'container') parent = inType ? enclosing.name : null;
      else parent = d.parent;
      if (d.memberInType && inType) {
        kind = 'method';
        parent = enclosing.name;
      }
      this.symbols.push({ name: d.name, kind, parent, startLine: d.startRow + 1, endLine: d.endRow + 1 });
    }
  }

  /** The innermost symbol containing the offset, or -1. Ranges nest (they come from one
   *  syntax tree), so walking up from the last symbol starting at or before the offset
   *  finds it. */
  innermostAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let i = found;
    while (i >= 0 && this.ends[i]! <= offset) i = this.container[i]!;
    return i;
  }

  /** The symbol whose definition starts exactly at the offset, or -1. */
  definedAt(offset: number): number {
    const i = this.innermostAt(offset);
    return i >= 0 && this.starts[i] === offset ? i : -1;
  }

  /** The symbol's name as call sites and routes refer to it: `Parent.name` or `name`. */
  qualified(index: number): string | null {
    const s = this.symbols[index];
    if (!s) return null;
    return s.parent ? `${s.parent}.${s.name}` : s.name;
  }

  /** The nearest enclosing class or interface of a symbol, or -1. */
  enclosingType(index: number): number {
    let i = this.container[index] ?? -1;
    while (i >= 0 && !TYPE_KINDS.has(this.symbols[i]!.kind)) i = this.container[i]!;
    return i;
  }
}
