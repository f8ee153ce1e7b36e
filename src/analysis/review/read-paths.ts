// Reads of nested data whose path a change altered: a member chain the diff added in a changed
// symbol (`line.discount.rate.percent`) beside one it removed from the file (`item.discount.percent`),
// the same field (`discount`) and the same last key (`percent`) reached through new keys
// (`rate`). Whether each key is written by the repository's own code is the caller's to say
// (object literal keys and assignments outside tests, found with `git grep -w`); a new key no
// code writes while the old path's keys are written is a shape no producer here sends.

export interface ReadPathChange {
  /** The head line of the new read. */
  line: number;
  read: string;
  replaced: string;
  /** The keys of the new path the old one did not have. */
  newKeys: string[];
}

export interface ReadPathInput {
  /** The file's lines the diff removed (base) and the symbol's it added (head), with their line numbers. */
  removed: ReadonlyArray<{ line: number; text: string }>;
  added: ReadonlyArray<{ line: number; text: string }>;
}

const CHAIN = /(?<![\w$.])[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*){2,}(?!\s*\()/g;

/** The keys after the root of each member chain on the line (`item.discount.percent` → discount, percent). */
function paths(text: string): string[][] {
  const code = text.replace(/\/\/.*$/, '');
  return [...code.matchAll(CHAIN)].map((m) => m[0].replace(/\?\./g, '.').split('.').slice(1));
}

/** The reads whose path changed between the removed and the added lines. */
export function readPathChanges(input: ReadPathInput): ReadPathChange[] {
  const old = input.removed.flatMap((l) => paths(l.text));
  const out: ReadPathChange[] = [];
  for (const l of input.added) {
    for (const p of paths(l.text)) {
      const key = p.join('.');
      if (old.some((o) => o.join('.') === key)) continue;
      const was = old.find((o) => o[0] === p[0] && o.at(-1) === p.at(-1) && o.length < p.length);
      if (!was) continue;
      const newKeys = p.filter((k) => !was.includes(k));
      if (newKeys.length)
        out.push({ line: l.line, read: key, replaced: was.join('.'), newKeys: [...new Set(newKeys)] });
    }
  }
  return out;
}

/** Whether a line writes `key`: an object literal's key or an assignment to it (comments say nothing). */
export function writesKey(text: string, key: string): boolean {
  if (/^\s*(\/\/|\/\*|\*|#)/.test(text)) return false;
  const code = text.replace(/\s\/\/.*$/, '');
  const k = key.replace(/[$]/g, '\\$');
  return new RegExp(`(^|[{,(\\s])["']?${k}["']?\\s*:(?!:)|\\.${k}\\s*=(?!=)|\\[["']${k}["']\\]\\s*=(?!=)`).test(code);
}
