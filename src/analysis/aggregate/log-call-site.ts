// The log call site a record names in its code.* attributes (OpenTelemetry semantic conventions,
// both the current `code.file.path` / `code.function.name` / `code.line.number` and the older
// `code.filepath` / `code.namespace` + `code.function` / `code.lineno`), as `<where>:<line>`.
// Log appenders set them when asked to capture the caller (e.g. the Java agent's
// `capture-code-attributes`); patterns@2 keeps the lines of different sites apart.
import type { Attributes } from '../../model/index.js';

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/**
 * `<file or function>:<line>` when the record names a line and where it is, else null: a file
 * path is preferred, then a qualified function name, then the namespace (with its function).
 */
export function logCallSite(attrs: Attributes): string | null {
  const line = text(attrs['code.line.number']) ?? text(attrs['code.lineno']);
  if (line === null || !/^\d{1,9}$/.test(line)) return null;
  const file = text(attrs['code.file.path']) ?? text(attrs['code.filepath']);
  if (file !== null) return `${file}:${line}`;
  const fn = text(attrs['code.function.name']);
  if (fn !== null) return `${fn}:${line}`;
  const ns = text(attrs['code.namespace']);
  const oldFn = text(attrs['code.function']);
  if (ns !== null) return `${oldFn !== null ? `${ns}.${oldFn}` : ns}:${line}`;
  if (oldFn !== null) return `${oldFn}:${line}`;
  return null;
}
