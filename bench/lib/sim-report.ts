// The simulation bench's printed report: each part's measured figures, the predictions
// beside them (or why there are none) and the scores against issue 19's targets.
import type { EndpointStats } from '../../src/demo/index.js';
import { table } from './format.js';
import type { Predicted } from './sim-predict.js';
import type {
  BinaryScore,
  Bottleneck,
  ChangePrediction,
  FailurePrediction,
  LadderScore,
  LoadPrediction,
  Outcome,
  ServiceUse,
  Tally,
} from './sim-score.js';
import type { StepWindow } from './sim-world.js';

const pct = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '-' : `${(100 * x).toFixed(digits)}%`;
const ms = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1);
const tally = (t: Tally) => (t.scored ? `${t.hits}/${t.scored} (${pct(t.hits / t.scored)})` : 'not scored');
const bn = (b: Bottleneck | null) => (b ? `${b.service} ${b.resource}` : 'none');

/** One service's use of its limits, e.g. "cart 240m/300m 80% thr 12%" or "catalog ×2 pool timeouts 14". */
function use(u: ServiceUse): string {
  const parts = [`${u.service}${u.replicas > 1 ? ` ×${u.replicas}` : ''} ${u.cpuM}m`];
  if (u.cpuLimitM !== null) parts.push(`/${u.cpuLimitM * u.replicas}m ${pct(u.cpuOfLimit)}`);
  if (u.throttledShare) parts.push(` thr ${pct(u.throttledShare)}`);
  if (u.poolTimeouts) parts.push(` pool timeouts ${u.poolTimeouts}`);
  return parts.join('');
}

export function stepLine(w: StepWindow): string {
  return (
    `  ${w.label}: host CPU ${pct(w.hostBusy)}${w.valid ? '' : ' (INVALID: over 80%)'}` +
    `${w.droppedSessions ? `, ${w.droppedSessions} sessions dropped` : ''}; ${w.uses.map(use).join(', ')}`
  );
}

export interface LadderRow {
  window: StepWindow;
  endpoints: EndpointStats[];
  predicted: Predicted<LoadPrediction> | null;
}

const factor = (f: number | null) => (f === null ? '-' : Number.isInteger(f) ? String(f) : f.toFixed(2));

export function ladderReport(
  name: string,
  settings: string[],
  rows: LadderRow[],
  score: LadderScore,
  countingInvalid: LadderScore | null = null,
): string {
  const lines = [
    `\nLoad ladder "${name}" (${settings.length ? `--set ${settings.join(' ')}` : 'the manifests as they are'})`,
  ];
  for (const r of rows) lines.push(stepLine(r.window));
  const notes = [...new Set(rows.map((r) => r.predicted?.note).filter((n): n is string => !!n))];
  const cells: string[][] = [];
  for (const r of rows) {
    for (const e of r.endpoints) {
      const p = r.predicted?.prediction?.endpoints.find((x) => x.endpoint === e.endpoint);
      cells.push([
        `${r.window.factor}×`,
        e.endpoint,
        String(e.requests),
        ms(e.p50Ms),
        ms(e.p95Ms),
        pct(e.errorRate, 1),
        p ? ms(p.p95Ms) : '-',
        p ? pct(p.errorRate, 1) : '-',
      ]);
    }
  }
  lines.push(
    table(
      ['step', 'endpoint', 'requests', 'p50 ms', 'p95 ms', 'errors', 'pred p95', 'pred errors'],
      cells,
      new Set([2, 3, 4, 5, 6, 7]),
    ),
  );
  for (const n of notes) lines.push(`  no prediction (${n})`);
  lines.push(
    `  knee: measured ${score.knee.measured === null ? 'beyond the ladder' : `${score.knee.measured}×`}, predicted ${factor(score.knee.predicted)}× → ${mark(score.knee.right)}`,
    `  first bottleneck: measured ${score.bottleneck.measured?.map(bn).join(' + ') ?? 'none within the ladder'}, predicted ${bn(score.bottleneck.predicted)} → ${mark(score.bottleneck.right)}`,
    `  p95 within 25%: ${tally(score.p95)}; error rate within 5 points: ${tally(score.errorRate)}; inside the predicted interval: ${tally(score.coverage)}`,
  );
  if (score.invalidSteps.length)
    lines.push(`  invalid (host over 80% busy), not scored: ${score.invalidSteps.map((f) => `${f}×`).join(', ')}`);
  if (countingInvalid)
    lines.push(
      `  for information, counting the invalid steps too: p95 ${tally(countingInvalid.p95)}, errors ${tally(countingInvalid.errorRate)}, ` +
        `interval ${tally(countingInvalid.coverage)}, knee ${mark(countingInvalid.knee.right)}, bottleneck ${mark(countingInvalid.bottleneck.right)}`,
    );
  return lines.join('\n');
}

const mark = (b: boolean | null) => (b === null ? 'not scored' : b ? 'right' : 'WRONG');
const letter: Record<Outcome, string> = { failed: 'F', degraded: 'D', unaffected: '.' };

export interface FailureRow {
  service: string;
  mode: string;
  window: StepWindow;
  endpoints: EndpointStats[];
  outcomes: (Outcome | null)[];
  predicted: Predicted<FailurePrediction>;
}

export function failureReport(
  endpoints: readonly string[],
  rows: FailureRow[],
  score: BinaryScore,
  errors: Tally,
): string {
  const lines = [
    '\nFailure oracle (F failed, D degraded, . unaffected; error rate and p95 ms measured; then predicted)',
  ];
  const cells = rows.map((r) => [
    `${r.service} ${r.mode}`,
    pct(r.window.hostBusy),
    ...r.endpoints.map((e, i) => {
      const o = r.outcomes[i];
      const p = r.predicted.prediction?.endpoints.find((x) => x.endpoint === e.endpoint);
      return `${o ? letter[o] : '?'} ${pct(e.errorRate)} ${ms(e.p95Ms)}${p ? ` | ${letter[p.outcome]} ${pct(p.errorRate)}` : ''}`;
    }),
  ]);
  lines.push(table(['fault', 'host', ...endpoints.map((e) => e.replace(/^(GET|POST) /, ''))], cells));
  const notes = [...new Set(rows.map((r) => r.predicted.note).filter((n): n is string => !!n))];
  for (const n of notes) lines.push(`  no prediction (${n})`);
  lines.push(
    `  affected endpoints: F1 ${score.f1 === null ? '-' : score.f1.toFixed(2)} (precision ${pct(score.precision)}, recall ${pct(score.recall)}; target F1 ≥ 0.9)` +
      `; error rate within 10 points: ${tally(errors)}`,
  );
  return lines.join('\n');
}

export interface MutantRow {
  id: string;
  reached: boolean;
  startFailed: boolean;
  affected: string[];
  /** Services that logged errors or warnings well beyond the baseline's rate, e.g. "web +35". */
  logged: string[];
  predicted: Predicted<ChangePrediction>;
  recall: number | null;
  precision: number | null;
}

export function mutationReport(rows: MutantRow[], recall: number | null, precision: number | null): string {
  const lines = ["\nMutation oracle (each exported function made to throw, at the shop's head)"];
  const reached = rows.filter((r) => r.reached);
  const short = (e: string) => e.replace(/^(GET|POST) \/api/, '');
  lines.push(
    table(
      ['function', 'affected (measured)', 'logged errors', 'predicted', 'recall', 'precision'],
      reached.map((r) => [
        `${r.id}${r.startFailed ? ' (did not start)' : ''}`,
        r.affected.map(short).join(' ') || 'none',
        r.logged.join(' ') || '-',
        r.predicted.prediction ? r.predicted.prediction.endpoints.map(short).join(' ') || 'none' : '-',
        pct(r.recall),
        pct(r.precision),
      ]),
    ),
  );
  const unreached = rows.filter((r) => !r.reached);
  if (unreached.length)
    lines.push(`  never reached by the traffic (left out): ${unreached.map((r) => r.id).join(', ')}`);
  const notes = [...new Set(rows.map((r) => r.predicted.note).filter((n): n is string => !!n))];
  for (const n of notes) lines.push(`  no prediction (${n})`);
  lines.push(
    `  mean over reached functions: recall ${pct(recall)} (target ≥ 95%), precision ${pct(precision)} (target ≥ 80%)`,
  );
  const scored = reached.filter((r) => r.recall !== null || r.precision !== null);
  if (scored.length) {
    const worst = [...scored]
      .sort((a, b) => (a.recall ?? 1) + (a.precision ?? 1) - ((b.recall ?? 1) + (b.precision ?? 1)))
      .slice(0, 10);
    lines.push(
      `  worst ten: ${worst.map((r) => `${r.id} (recall ${pct(r.recall)}, precision ${pct(r.precision)})`).join('; ')}`,
    );
  }
  return lines.join('\n');
}
