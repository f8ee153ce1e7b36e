// Which unit a reference means: through the file's imports (JS/TS modules and their
// re-exports, Python modules, Go packages, Java classes), the file itself, its class for
// `this.x()`, and — for a method called on a value of unknown type — methods of that name in
// the files it imports. Files a resolution needs but that are not loaded are reported, so the
// caller can load them and resolve again.
import type { CodeLanguage } from '../../code/index.js';
import type { CodeRef, CodeUnit, FileCode, ImportBinding } from './types.js';

/** A unit of a loaded file. */
export interface UnitRef {
  path: string;
  unit: number;
}

/** Method names too common to follow on a receiver of unknown type (containers, promises, I/O). */
const COMMON_METHODS = new Set(
  (
    'get set has add delete clear map filter forEach reduce find findIndex some every includes indexOf push pop shift ' +
    'unshift slice splice concat join split sort reverse keys values entries then catch finally toString valueOf trim ' +
    'replace match test exec call apply bind emit on once off write end send json log info warn error debug next close ' +
    'open read start stop run update create append extend items copy format length size equals hashCode toJSON parse ' +
    'stringify resolve reject all race assign freeze from of is isArray now floor ceil round max min abs random'
  ).split(' '),
);

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `a/b` + `../c/d` → `a/c/d`; null when it climbs out of the repository. */
function joinPath(dir: string, rel: string): string | null {
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

export class CodeGraph {
  private readonly byDir = new Map<string, string[]>();
  private readonly moduleCache = new Map<string, string[]>();
  private readonly missing = new Set<string>();

  /**
   * `files`: the loaded files by path; `paths`: every code path that exists (at head, plus the
   * files the change deleted), so module resolution can name a file that is not loaded;
   * `scopeOf`: the service a path belongs to (null: none), for methods called on values of
   * unknown type.
   */
  constructor(
    readonly files: ReadonlyMap<string, FileCode>,
    readonly paths: ReadonlySet<string>,
    private readonly scopeOf: (path: string) => string | null = () => null,
  ) {
    for (const p of paths) {
      const d = dirname(p);
      const list = this.byDir.get(d);
      if (list) list.push(p);
      else this.byDir.set(d, [p]);
    }
  }

  /** Files a resolution needed that were not loaded (since the graph was made). */
  get wanted(): string[] {
    return [...this.missing].filter((p) => !this.files.has(p));
  }

  private file(path: string): FileCode | undefined {
    const f = this.files.get(path);
    if (!f && this.paths.has(path)) this.missing.add(path);
    return f;
  }

  /** The files a module specifier names, from a file of the given language. */
  modulePaths(from: string, language: CodeLanguage, source: string): string[] {
    const key = `${from}\u0000${source}`;
    const hit = this.moduleCache.get(key);
    if (hit) return hit;
    const out = this.findModule(from, language, source);
    this.moduleCache.set(key, out);
    return out;
  }

  private findModule(from: string, language: CodeLanguage, source: string): string[] {
    const exists = (p: string | null) => p !== null && this.paths.has(p);
    switch (language) {
      case 'javascript':
      case 'typescript':
      case 'tsx': {
        if (!source.startsWith('.') && !source.startsWith('/')) return [];
        const base = joinPath(dirname(from), source);
        if (base === null) return [];
        const stem = base.replace(/\.(?:[cm]?[jt]sx?)$/, '');
        const tries = [base, ...JS_EXTENSIONS.map((e) => stem + e), ...JS_EXTENSIONS.map((e) => `${base}/index${e}`)];
        const found = tries.find(exists);
        return found ? [found] : [];
      }
      case 'python': {
        const dots = /^\.+/.exec(source)?.[0].length ?? 0;
        const rest = source.slice(dots).replace(/\./g, '/');
        let roots: string[];
        if (dots > 0) {
          let dir = dirname(from);
          for (let i = 1; i < dots; i++) dir = dirname(dir);
          roots = [dir];
        } else roots = [''];
        for (const root of roots) {
          const base = rest ? (root ? `${root}/${rest}` : rest) : root;
          for (const p of [`${base}.py`, `${base}/__init__.py`]) if (exists(p)) return [p];
        }
        if (dots > 0 || !rest) return [];
        // An absolute module under some source root (src/, the service's folder…).
        const tails = [`/${rest}.py`, `/${rest}/__init__.py`];
        return [...this.paths].filter((p) => tails.some((t) => p.endsWith(t))).slice(0, 1);
      }
      case 'go': {
        // A package is a folder; the import path ends with the folder's path in the repository.
        let best: string | null = null;
        for (const dir of this.byDir.keys()) {
          if (!dir || !(source === dir || source.endsWith(`/${dir}`))) continue;
          if (!this.byDir.get(dir)!.some((p) => p.endsWith('.go'))) continue;
          if (best === null || dir.length > best.length) best = dir;
        }
        return best === null ? [] : this.byDir.get(best)!.filter((p) => p.endsWith('.go'));
      }
      case 'java': {
        const tail = `/${source.replace(/\./g, '/')}.java`;
        return [...this.paths].filter((p) => p.endsWith(tail) || `/${p}` === tail).slice(0, 1);
      }
      default:
        return [];
    }
  }

  /** Units a module exports under `name`, following re-exports a few steps. */
  private exported(path: string, name: string, depth = 0): UnitRef[] {
    const f = this.file(path);
    if (!f || depth > 5) return [];
    const own = f.units.flatMap((u, i) =>
      i > 0 && u.parent === null && u.bare === name && u.kind !== 'route' ? [{ path, unit: i }] : [],
    );
    if (own.length) return own;
    const out: UnitRef[] = [];
    for (const r of f.reexports) {
      if (r.exported !== name && r.exported !== '*') continue;
      const imported = r.exported === '*' ? name : r.imported;
      for (const p of this.modulePaths(path, f.language, r.source)) out.push(...this.exported(p, imported, depth + 1));
    }
    // `from pkg import name` where pkg/__init__.py imports it in turn.
    if (out.length === 0) {
      const b = f.imports.find((i) => i.local === name);
      if (b && b.imported !== '*')
        for (const p of this.modulePaths(path, f.language, b.source))
          out.push(...this.exported(p, b.imported, depth + 1));
    }
    return out;
  }

  /** Constructing a class runs its constructor: `new Foo()` calls `Foo.constructor` too. */
  private withConstructors(refs: UnitRef[]): UnitRef[] {
    const out = [...refs];
    for (const r of refs) {
      const f = this.files.get(r.path);
      const u = f?.units[r.unit];
      if (!f || u?.symbolKind !== 'class') continue;
      f.units.forEach((m, i) => {
        if (m.parent === u.bare && (m.bare === 'constructor' || m.bare === '__init__' || m.bare === u.bare))
          out.push({ path: f.path, unit: i });
      });
    }
    return out;
  }

  private inFile(f: FileCode, pick: (u: CodeUnit, i: number) => boolean): UnitRef[] {
    const out: UnitRef[] = [];
    f.units.forEach((u, i) => {
      if (i > 0 && u.kind !== 'route' && pick(u, i)) out.push({ path: f.path, unit: i });
    });
    return out;
  }

  /** The files a file imports (resolved), for methods called on values of unknown type. */
  private importedFiles(f: FileCode): string[] {
    const out = new Set<string>();
    for (const b of f.imports) for (const p of this.modulePaths(f.path, f.language, b.source)) out.add(p);
    // Go packages and Java packages: the other files of the folder need no import.
    if (f.language === 'go' || f.language === 'java') {
      const ext = f.language === 'go' ? '.go' : '.java';
      for (const p of this.byDir.get(dirname(f.path)) ?? []) if (p !== f.path && p.endsWith(ext)) out.add(p);
    }
    return [...out];
  }

  private member(f: FileCode, ref: CodeRef, binding: ImportBinding | undefined): UnitRef[] {
    const name = ref.name;
    const recv = ref.receiver;
    if (recv === 'this' || recv === 'self') {
      const owner = f.units[ref.unit]!;
      const cls = owner.symbolKind === 'class' ? owner.bare : owner.parent;
      const own = this.inFile(f, (u) => u.bare === name && (cls === null || u.parent === cls));
      return own.length ? own : this.inFile(f, (u) => u.bare === name && u.symbolKind === 'method');
    }
    if (binding) {
      const paths = this.modulePaths(f.path, f.language, binding.source);
      const out: UnitRef[] = [];
      for (const p of paths) {
        const target = this.file(p);
        if (!target) continue;
        if (binding.imported === '*' || binding.imported === 'default') {
          out.push(...this.exported(p, name));
          if (out.length === 0) out.push(...this.inFile(target, (u) => u.bare === name && u.parent === null));
        } else {
          // A class or an object the module exports: its members of that name.
          out.push(...this.inFile(target, (u) => u.bare === name && u.parent === binding.imported));
          // A namespace the module imports and exports again (`import * as ns …; export { ns }`).
          const ns = target.imports.find((i) => i.local === binding.imported && i.imported === '*');
          if (ns && out.length === 0) {
            for (const q of this.modulePaths(target.path, target.language, ns.source))
              out.push(...this.exported(q, name));
          }
        }
      }
      // Python `from pkg import mod; mod.f()`: the binding is a module.
      if (out.length === 0 && f.language === 'python' && binding.imported !== '*') {
        const sub = binding.source.endsWith('.')
          ? `${binding.source}${binding.imported}`
          : `${binding.source}.${binding.imported}`;
        for (const p of this.modulePaths(f.path, f.language, sub)) out.push(...this.exported(p, name));
      }
      return out;
    }
    if (recv !== null) {
      const statics = this.inFile(f, (u) => u.bare === name && u.parent === recv);
      if (statics.length) return statics;
    }
    if (COMMON_METHODS.has(name)) return this.typedReceiver(f, ref);
    const isMethod = (u: CodeUnit) => u.bare === name && u.symbolKind === 'method';
    const methods: UnitRef[] = this.inFile(f, isMethod);
    for (const p of this.importedFiles(f)) {
      const target = this.file(p);
      if (target) methods.push(...this.inFile(target, isMethod));
    }
    if (methods.length || ref.receiver === null) return methods;
    // A value handed in (a parameter, an injected dependency): methods of that name in the
    // loaded files of the same service.
    const scope = this.scopeOf(f.path);
    if (scope === null) return methods;
    for (const other of this.files.values()) {
      if (other !== f && this.scopeOf(other.path) === scope) methods.push(...this.inFile(other, isMethod));
    }
    return methods;
  }

  /**
   * `carts.get()` where `carts` is a top-level variable made from an imported class or factory
   * (`new CartStore()`, `createQueries()`): the methods of that name in those modules.
   */
  private typedReceiver(f: FileCode, ref: CodeRef): UnitRef[] {
    const recv = ref.receiver;
    if (recv === null) return [];
    const variable = f.units.findIndex((u) => u.kind === 'variable' && u.bare === recv);
    if (variable < 0) return [];
    const out: UnitRef[] = [];
    for (const r of f.refs) {
      if (r.unit !== variable || r.member) continue;
      const b = f.imports.find((i) => i.local === r.name);
      if (!b) continue;
      for (const p of this.modulePaths(f.path, f.language, b.source)) {
        const target = this.file(p);
        if (target) out.push(...this.inFile(target, (u) => u.bare === ref.name && u.symbolKind === 'method'));
      }
    }
    return out;
  }

  /** The units a reference may mean (none when it names something outside the repository). */
  resolve(f: FileCode, ref: CodeRef): UnitRef[] {
    const found = this.lookup(f, ref);
    // Python constructs by calling the class.
    return ref.how === 'new' || (ref.how === 'call' && f.language === 'python') ? this.withConstructors(found) : found;
  }

  private lookup(f: FileCode, ref: CodeRef): UnitRef[] {
    if (ref.member) {
      const binding = ref.receiver === null ? undefined : f.imports.find((i) => i.local === ref.receiver);
      return this.member(f, ref, binding);
    }
    const binding = f.imports.find((i) => i.local === ref.name);
    if (binding) {
      if (binding.imported === '*') return [];
      const out: UnitRef[] = [];
      for (const p of this.modulePaths(f.path, f.language, binding.source))
        out.push(...this.exported(p, binding.imported));
      if (out.length === 0 && f.language === 'python') {
        // `from pkg import mod` names a module: it is not a unit.
        return [];
      }
      return out;
    }
    const top = this.inFile(f, (u) => u.bare === ref.name && u.parent === null);
    if (top.length) return top;
    const owner = f.units[ref.unit]!;
    if (f.language === 'java' || f.language === 'python') {
      // A method of the same class called without a receiver (Java), a nested function (Python).
      const cls = owner.symbolKind === 'class' ? owner.bare : owner.parent;
      const own = this.inFile(f, (u) => u.bare === ref.name && (u.parent === cls || u.symbolKind === 'function'));
      if (own.length) return own;
    }
    if (f.language === 'go') {
      // The same package: every file of the folder.
      const out: UnitRef[] = [];
      for (const p of this.byDir.get(dirname(f.path)) ?? []) {
        if (p === f.path || !p.endsWith('.go')) continue;
        const other = this.file(p);
        if (other) out.push(...this.inFile(other, (u) => u.bare === ref.name && u.parent === null));
      }
      if (out.length) return out;
    }
    return this.inFile(f, (u) => u.bare === ref.name);
  }
}
