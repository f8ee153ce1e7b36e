// What sim-change reads and answers: the code of a file at one revision as units (symbols,
// route registrations, top-level variables, the module's own statements) with the names each
// unit refers to, and the blast radius of a change built from those and the runtime facts.
import type { CodeLanguage, SymbolKind } from '../../code/index.js';

/** A symbol (function, method, class…), an HTTP route registration (its inline handler
 *  included), a top-level variable that is not a function, or the module's own statements. */
export type UnitKind = 'symbol' | 'route' | 'variable' | 'module';

export interface RouteFacts {
  /** Upper case, or null when the registration accepts any method. */
  method: string | null;
  path: string;
  framework: string;
}

/** One unit of a file. Lines are 1-based and inclusive. */
export interface CodeUnit {
  /** Unique within the file and stable across revisions: `Cart.add`, `route GET /carts/:user`,
   *  `var config`, `<module>`; a second unit of the same name gets `#2`. */
  key: string;
  kind: UnitKind;
  /** As a reader would name it: `Cart.add`, `GET /carts/:user`, `config`, `<module>`. */
  name: string;
  /** The bare name as call sites name it (`add`), and the enclosing type (`Cart`) or null. */
  bare: string;
  parent: string | null;
  symbolKind: SymbolKind | null;
  startLine: number;
  endLine: number;
  route: RouteFacts | null;
}

/** A name a unit refers to: a call, a `new`, or a function passed as a value. */
export interface CodeRef {
  /** Index into the file's units. */
  unit: number;
  name: string;
  /** `recv.name(...)`: true, with the receiver chain's root identifier (`this`, `self`, an
   *  import's local name…) or null when the root is not a plain name. */
  member: boolean;
  receiver: string | null;
  /** `call`, `new` (constructs: the class's constructor runs), or `value` (named, not called here). */
  how: 'call' | 'new' | 'value';
}

/** `import { imported as local } from source` and its kin in each language. `imported` is a
 *  name, `default`, or `*` (the whole module bound to `local`). */
export interface ImportBinding {
  local: string;
  source: string;
  imported: string;
  line: number;
}

/** `export { imported as exported } from source`; `*` for `export * from source`. */
export interface ReExport {
  exported: string;
  imported: string;
  source: string;
}

/** A log statement: its template (analysis/code's Drain form) and the unit it is in. */
export interface LogSite {
  unit: number;
  line: number;
  template: string;
}

/** What sim-change knows of one file at one revision. */
export interface FileCode {
  path: string;
  language: CodeLanguage;
  /** `units[0]` is always the module. */
  units: CodeUnit[];
  refs: CodeRef[];
  imports: ImportBinding[];
  reexports: ReExport[];
  logSites: LogSite[];
  /** Lines that hold nothing but whitespace and comments: a change there changes no unit. */
  quietLines: number[];
}

/** A hunk of `git diff -U0`: `oldCount` lines from `oldStart` became `newCount` from `newStart`. */
export interface DiffHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

export type FileStatus = 'added' | 'deleted' | 'modified' | 'renamed';

export interface FileDiff {
  /** Null for an added file. */
  oldPath: string | null;
  /** Null for a deleted file. */
  newPath: string | null;
  status: FileStatus;
  binary: boolean;
  hunks: DiffHunk[];
}

/** A unit a change touched, with the revision(s) it exists at. */
export interface ChangedUnit {
  /** The file at head (at base for a removed unit of a deleted file). */
  path: string;
  key: string;
  name: string;
  kind: UnitKind;
  change: 'added' | 'removed' | 'modified';
  /** Why: `lines 12-14`, `import of getProduct changed`. */
  why: string;
  base: { startLine: number; endLine: number } | null;
  head: { startLine: number; endLine: number } | null;
}
