// Turns a log message as written in code into a Drain-style template: every placeholder
// and interpolated value becomes `<*>`, so it can be matched to patterns mined from logs.

export const WILDCARD = '<*>';

// printf verbs of C, Go (%v %+v %q %T), Python (%(name)s %r) and Node's util.format
// (%j %o %O). A space flag is left out on purpose: "50% done" is prose, not "% d".
const PRINTF = /%%|%(?:\([^)]*\))?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdifFeEgGxXoOcqvTtbrjpU]/g;
// SLF4J `{}`, MessageFormat `{0}`, str.format / structured-logging `{name}`, `{name!r:>3}`.
const BRACES = /\{(?:[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?|\d*)\}/g;

/** Replaces placeholders with `<*>` and collapses whitespace the way Drain tokenizes. */
export function toTemplate(message: string): string {
  return message
    .replace(PRINTF, (m) => (m === '%%' ? '%' : WILDCARD))
    .replace(BRACES, WILDCARD)
    .replace(/\s+/g, ' ')
    .trim();
}

/** How many printf placeholders a format string consumes (Node's util.format appends the
 *  remaining arguments). */
export function countPrintfPlaceholders(format: string): number {
  let n = 0;
  for (const m of format.matchAll(PRINTF)) if (m[0] !== '%%') n++;
  return n;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** Decodes backslash escapes shared by JS, Python, Go and Java string literals. */
export function unescapeLiteral(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r?\n|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') {
      const hex = e[1] === '{' ? e.slice(2, -1) : e.slice(1);
      const code = Number.parseInt(hex, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    if (e === '\n' || e === '\r\n') return '';
    return ESCAPES[e] ?? e;
  });
}

const LEVEL_ALIASES: Record<string, string> = {
  trace: 'trace',
  finest: 'trace',
  finer: 'trace',
  silly: 'trace',
  debug: 'debug',
  fine: 'debug',
  config: 'debug',
  verbose: 'debug',
  info: 'info',
  log: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  exception: 'error',
  severe: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  dpanic: 'fatal',
};

/** A level word (`warning`, `WARN`, `LevelWarn`, `Level.SEVERE`'s last part) in
 *  normalized form, or null when it is not a level. */
export function normalizeLevel(word: string): string | null {
  const w = word.replace(/^(?:Level|LEVEL_?)/, '').toLowerCase();
  return LEVEL_ALIASES[w] ?? null;
}
