// What every simulation's Markdown shares: number and figure formats, tables, and the closing
// section that says what the prediction rests on (inputs measured or assumed, assumptions, warnings).
import type { Figure, SimulationInput, Validity } from '../../model/index.js';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
export const num = (x: number) =>
  Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1);
export const msOf = (x: number | null) => (x === null ? '∞' : num(x));
export const pctOf = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`);

/** `value (p10–p90)` in a unit. */
export function fig(f: Figure, show: (x: number | null) => string): string {
  const v = show(f.value);
  if (f.p10 === f.value && f.p90 === f.value) return v;
  return `${v} (${show(f.p10)}–${show(f.p90)})`;
}

export function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The lines of the validity, assumptions and warnings sections (inputs assumed first). */
export function validityLines(r: {
  validity: Record<Validity, number>;
  inputs: readonly SimulationInput[];
  assumptions: readonly string[];
  warnings: readonly string[];
}): string[] {
  const out = [`## Validity: ${r.validity.measured} inputs measured, ${r.validity.assumed} assumed`, ''];
  const inputs = [...r.inputs].sort((a, b) => (a.validity === b.validity ? 0 : a.validity === 'assumed' ? -1 : 1));
  out.push(
    table(
      ['input', 'value', 'validity', 'source'],
      inputs.map((i) => [i.name, i.value, i.validity, i.source]),
    ),
  );
  out.push('', '## Assumptions', '');
  for (const a of r.assumptions) out.push(`- ${a}`);
  if (r.warnings.length) {
    out.push('', '## Warnings', '');
    for (const w of r.warnings) out.push(`- ${w}`);
  }
  return out;
}
