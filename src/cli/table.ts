// Plain text tables for terminal output.

function cell(c: unknown): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return c.toISOString();
  return String(c).replace(/\s+/g, ' ');
}

export function table(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => Math.min(r[i]?.length ?? 0, 80))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => {
        const w = widths[i]!;
        const v = c.length > 80 && i < r.length - 1 ? `${c.slice(0, 79)}…` : c;
        return i === r.length - 1 ? v : v.padEnd(w);
      })
      .join('  ');
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}
