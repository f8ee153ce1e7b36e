// What a file imports and re-exports, per language: JS/TS `import`, `require` and
// `export … from`; Python `import` and `from … import`; Go import specs; Java imports. Read
// from the top-level statements of the tree (and `require` declarations anywhere at the top).
import type { Node, Tree } from 'web-tree-sitter';
import type { CodeLanguage } from '../../code/index.js';
import type { ImportBinding, ReExport } from './types.js';

function unquote(text: string): string {
  return text.replace(/^[`'"]|[`'"]$/g, '');
}

function stringOf(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === 'string' || node.type === 'interpreted_string_literal' || node.type === 'raw_string_literal') {
    return unquote(node.text);
  }
  return null;
}

function line(node: Node): number {
  return node.startPosition.row + 1;
}

function jsImport(stmt: Node, out: ImportBinding[]): void {
  const source = stringOf(stmt.childForFieldName('source'));
  if (source === null) return;
  const clause = stmt.namedChildren.find((c) => c.type === 'import_clause');
  if (!clause) return;
  for (const c of clause.namedChildren) {
    if (c.type === 'identifier') out.push({ local: c.text, source, imported: 'default', line: line(stmt) });
    else if (c.type === 'namespace_import') {
      const id = c.namedChildren.find((x) => x.type === 'identifier');
      if (id) out.push({ local: id.text, source, imported: '*', line: line(stmt) });
    } else if (c.type === 'named_imports') {
      for (const s of c.namedChildren) {
        if (s.type !== 'import_specifier') continue;
        const name = s.childForFieldName('name')?.text;
        const alias = s.childForFieldName('alias')?.text;
        if (name) out.push({ local: alias ?? name, source, imported: name, line: line(s) });
      }
    }
  }
}

function jsReExport(stmt: Node, out: ReExport[]): void {
  const source = stringOf(stmt.childForFieldName('source'));
  if (source === null) return;
  const clause = stmt.namedChildren.find((c) => c.type === 'export_clause');
  const ns = stmt.namedChildren.find((c) => c.type === 'namespace_export');
  if (clause) {
    for (const s of clause.namedChildren) {
      if (s.type !== 'export_specifier') continue;
      const name = s.childForFieldName('name')?.text;
      const alias = s.childForFieldName('alias')?.text;
      if (name) out.push({ exported: alias ?? name, imported: name, source });
    }
  } else if (ns) {
    const id = ns.namedChildren.at(-1);
    if (id) out.push({ exported: id.text, imported: '*', source });
  } else {
    out.push({ exported: '*', imported: '*', source });
  }
}

/** `const x = require('y')`, `const { a, b: c } = require('y')`. */
function jsRequire(declarator: Node, out: ImportBinding[]): void {
  const value = declarator.childForFieldName('value');
  if (value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'require') return;
  const source = stringOf(value.childForFieldName('arguments')?.namedChildren[0]);
  const name = declarator.childForFieldName('name');
  if (source === null || !name) return;
  if (name.type === 'identifier') out.push({ local: name.text, source, imported: '*', line: line(declarator) });
  else if (name.type === 'object_pattern') {
    for (const p of name.namedChildren) {
      if (p.type === 'shorthand_property_identifier_pattern')
        out.push({ local: p.text, source, imported: p.text, line: line(p) });
      else if (p.type === 'pair_pattern') {
        const key = p.childForFieldName('key')?.text;
        const val = p.childForFieldName('value');
        if (key && val?.type === 'identifier') out.push({ local: val.text, source, imported: key, line: line(p) });
      }
    }
  }
}

function pythonImports(stmt: Node, out: ImportBinding[]): void {
  if (stmt.type === 'import_statement') {
    for (const n of stmt.childrenForFieldName('name')) {
      if (n.type === 'aliased_import') {
        const dotted = n.childForFieldName('name')?.text;
        const alias = n.childForFieldName('alias')?.text;
        if (dotted && alias) out.push({ local: alias, source: dotted, imported: '*', line: line(n) });
      } else if (n.type === 'dotted_name') {
        // `import a.b` binds `a`; its users write `a.b.f()`, so the binding stands for a.b.
        out.push({ local: n.namedChildren[0]?.text ?? n.text, source: n.text, imported: '*', line: line(n) });
      }
    }
    return;
  }
  if (stmt.type !== 'import_from_statement') return;
  const mod = stmt.childForFieldName('module_name');
  if (!mod) return;
  const source = mod.text;
  for (const n of stmt.childrenForFieldName('name')) {
    if (n.type === 'aliased_import') {
      const name = n.childForFieldName('name')?.text;
      const alias = n.childForFieldName('alias')?.text;
      if (name && alias) out.push({ local: alias, source, imported: name, line: line(n) });
    } else if (n.type === 'dotted_name') {
      out.push({ local: n.text, source, imported: n.text, line: line(n) });
    }
  }
}

function goImports(decl: Node, out: ImportBinding[]): void {
  for (const spec of decl.descendantsOfType('import_spec')) {
    const path = spec.childForFieldName('path');
    const source = path ? unquote(path.text) : null;
    if (!source) continue;
    const name = spec.childForFieldName('name')?.text;
    if (name === '_' || name === '.') continue;
    out.push({ local: name ?? source.split('/').pop()!, source, imported: '*', line: line(spec) });
  }
}

function javaImport(decl: Node, out: ImportBinding[]): void {
  const text = decl.text.replace(/\s+/g, ' ');
  const m = /^import (static )?([\w.]+)(\.\*)?\s*;/.exec(text);
  if (!m || m[3]) return;
  const parts = m[2]!.split('.');
  const last = parts.at(-1)!;
  if (m[1]) out.push({ local: last, source: parts.slice(0, -1).join('.'), imported: last, line: line(decl) });
  else out.push({ local: last, source: m[2]!, imported: '*', line: line(decl) });
}

/** The file's imports and re-exports. */
export function importsOf(tree: Tree, language: CodeLanguage): { imports: ImportBinding[]; reexports: ReExport[] } {
  const imports: ImportBinding[] = [];
  const reexports: ReExport[] = [];
  const root = tree.rootNode;
  for (const stmt of root.namedChildren) {
    switch (language) {
      case 'typescript':
      case 'tsx':
      case 'javascript':
        if (stmt.type === 'import_statement') jsImport(stmt, imports);
        else if (stmt.type === 'export_statement') jsReExport(stmt, reexports);
        else if (stmt.type === 'lexical_declaration' || stmt.type === 'variable_declaration') {
          for (const d of stmt.namedChildren) if (d.type === 'variable_declarator') jsRequire(d, imports);
        }
        break;
      case 'python':
        pythonImports(stmt, imports);
        break;
      case 'go':
        if (stmt.type === 'import_declaration') goImports(stmt, imports);
        break;
      case 'java':
        if (stmt.type === 'import_declaration') javaImport(stmt, imports);
        break;
    }
  }
  return { imports, reexports };
}
