#!/usr/bin/env node
// The longest files and functions under src/ (or the folders given), by lines: the
// "before/after" report of issue 17. Parses each .ts/.tsx file with the typescript
// package's parser only (no type checking, no emit), so it is cheap.
//
//   node scripts/longest.mjs [--top N] [--functions-only|--files-only] [--tsv] [dir ...]
//
// A function is any function declaration, method, constructor, accessor, function
// expression or arrow function; its length is its node's lines, including its body (a
// nested function is listed on its own as well). Arrows and function expressions are named
// after the variable, property or call argument they sit in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const args = process.argv.slice(2);
let top = 15;
let show = { files: true, functions: true };
let tsv = false;
const dirs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--top') top = Number(args[++i]);
  else if (a === '--functions-only') show = { files: false, functions: true };
  else if (a === '--files-only') show = { files: true, functions: false };
  else if (a === '--tsv') tsv = true;
  else dirs.push(a);
}
if (dirs.length === 0) dirs.push('src');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name && (ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name))) return node.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const p = node.parent;
  if (!p) return '<anonymous>';
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) && p.name && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyDeclaration(p) && p.name && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isCallExpression(p)) {
    const callee = p.expression.getText().replace(/\s+/g, ' ');
    return `<arg of ${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee}>`;
  }
  if (ts.isExportAssignment(p)) return 'default';
  if (ts.isJsxExpression(p)) {
    const el = p.parent?.parent;
    const tag =
      el &&
      (ts.isJsxElement(el)
        ? el.openingElement.tagName.getText()
        : ts.isJsxAttribute(p.parent)
          ? p.parent.name.getText()
          : '');
    return `<jsx ${tag || 'child'}>`;
  }
  return '<anonymous>';
}

function ownerOf(node) {
  for (let p = node.parent; p; p = p.parent) {
    if ((ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name) return `${p.name.text}.`;
  }
  return '';
}

const files = [];
const functions = [];
for (const dir of dirs) {
  for (const path of statSync(dir).isDirectory() ? walk(dir, []) : [dir]) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    files.push({ path, lines });
    const kind = path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        functions.push({ path, name: `${ownerOf(node)}${nameOf(node)}`, start, end, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

const rel = (p) => relative(process.cwd(), p);
files.sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path));
functions.sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path) || a.start - b.start);

if (tsv) {
  if (show.files) for (const f of files.slice(0, top)) console.log(`file\t${f.lines}\t${rel(f.path)}`);
  if (show.functions)
    for (const f of functions.slice(0, top))
      console.log(`function\t${f.lines}\t${rel(f.path)}:${f.start}-${f.end}\t${f.name}`);
} else {
  const total = files.reduce((s, f) => s + f.lines, 0);
  const over = files.filter((f) => f.lines > 400).length;
  console.log(`${files.length} files, ${total} lines under ${dirs.join(', ')}; ${over} files over 400 lines`);
  if (show.files) {
    console.log(`\nTop ${top} files by lines`);
    for (const f of files.slice(0, top)) console.log(`${String(f.lines).padStart(6)}  ${rel(f.path)}`);
  }
  if (show.functions) {
    console.log(`\nTop ${top} functions by lines`);
    for (const f of functions.slice(0, top))
      console.log(`${String(f.lines).padStart(6)}  ${rel(f.path)}:${f.start}-${f.end}  ${f.name}`);
  }
}
