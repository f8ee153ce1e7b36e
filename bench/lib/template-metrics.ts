// Log-parsing accuracy as Loghub-2.0 scores it (GA, PA, FGA, FTA), plus an error report
// grouped by true template. Pure: plain arrays in, numbers and plain records out.
//
// What Loghub-2.0's evaluator does, and so what this does:
// - Lines whose truth template is empty (null in the CSV) are left out of every metric.
// - Both templates are normalised before comparing (`normalizeTemplate`): a `<*>` that stands
//   for an empty string in that line is dropped (their `align_with_null_values`, only when the
//   line contents are given), whitespace runs become one space and the ends are trimmed (DS),
//   and consecutive parameters `<*>.<*>`, `<*><*>`, `<*>:<*>`, `<*> <*>` collapse into one
//   `<*>` (their `correct_template_general`, DV then CV). Loghub-2.0 applies the last step to
//   the truth and leaves the rest of it to each parser's own post-processing; here it is
//   applied to both sides, so only differences that matter are counted.
// - Groups are keyed by the (normalised) predicted template string, as their evaluator reads
//   the parser's EventTemplate column; grouping by the miner's ids is reported beside it.
// - GA: a line is correct when its predicted group holds exactly the lines of its true group.
//   FGA: F1 of PGA = correct groups / predicted groups and RGA = correct groups / true groups.
// - PA: a line is correct when its predicted template equals its true template.
// - FTA: F1 of PTA and RTA, where a predicted template is correct when every line it holds
//   has that same string as its true template (their `evaluate_template_level`). The stricter
//   reading, which also requires the predicted group to equal the true group, is `strictFTA`.

export interface EvaluateOptions {
  /** The raw log bodies, one per line; enables the empty-parameter alignment of Loghub-2.0. */
  contents?: readonly string[];
}

export interface ErrorOptions extends EvaluateOptions {
  /**
   * What a predicted group is when judging splits and merges: the normalised template string
   * (`template`, Loghub-2.0's grouping and the default) or the miner's pattern id (`id`).
   */
  groupBy?: 'template' | 'id';
}

export interface ParsingMetrics {
  /** Lines scored (those with a non-empty truth template). */
  lines: number;
  /** Distinct true templates after normalisation. */
  truthTemplates: number;
  /** Distinct predicted templates after normalisation (the groups the metrics use). */
  predictedTemplates: number;
  /** Distinct predicted group ids. */
  predictedGroups: number;
  GA: number;
  PA: number;
  FGA: number;
  FTA: number;
  PGA: number;
  RGA: number;
  PTA: number;
  RTA: number;
  /** FTA counting a template only when its group also equals its true group exactly. */
  strictFTA: number;
  /** GA and FGA with groups keyed by the miner's ids instead of template strings. */
  byId: { GA: number; FGA: number };
}

const PARAM = '<*>';

function collapseAll(s: string, from: string, to: string): string {
  let prev: string;
  let out = s;
  do {
    prev = out;
    out = out.split(from).join(to);
  } while (out !== prev);
  return out;
}

const regexCache = new Map<string, RegExp>();

function templateRegex(template: string): RegExp {
  let re = regexCache.get(template);
  if (!re) {
    const parts = template.split(PARAM).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    re = new RegExp(`^${parts.join('(.*?)')}$`);
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(template, re);
  }
  return re;
}

/**
 * Drops each `<*>` that matches the empty string in `content` (Loghub-2.0's
 * `align_with_null_values`); a template that does not match the content is returned as is.
 */
export function alignWithContent(template: string, content: string): string {
  if (!template.includes(PARAM)) return template;
  const m = templateRegex(template).exec(content);
  if (!m) return template;
  const parts = template.split(PARAM);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    out += parts[i];
    if (i < parts.length - 1) out += m[i + 1] === '' ? '' : PARAM;
  }
  return out;
}

/** The template as both sides are compared: see the header of this file. */
export function normalizeTemplate(template: string, content?: string): string {
  let t = content === undefined ? template : alignWithContent(template, content);
  t = t.trim().replace(/\s+/g, ' ');
  t = collapseAll(t, '<*>.<*>', PARAM);
  let prev: string;
  do {
    prev = t;
    t = t.split('<*><*>').join(PARAM).split('<*>:<*>').join(PARAM).split('<*> <*>').join(PARAM);
  } while (t !== prev);
  return t;
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Line indices per key, in first-seen order. */
function groupsOf(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  }
  return groups;
}

interface Grouping {
  accurateLines: number;
  /** True keys whose group equals one predicted group exactly. */
  exact: Set<string>;
  GA: number;
  PGA: number;
  RGA: number;
  FGA: number;
}

function grouping(truthGroups: Map<string, number[]>, predicted: readonly string[]): Grouping {
  const predCount = new Map<string, number>();
  for (const p of predicted) predCount.set(p, (predCount.get(p) ?? 0) + 1);
  const exact = new Set<string>();
  let accurateLines = 0;
  for (const [key, lines] of truthGroups) {
    const first = predicted[lines[0]!]!;
    if (lines.every((i) => predicted[i] === first) && predCount.get(first) === lines.length) {
      exact.add(key);
      accurateLines += lines.length;
    }
  }
  const PGA = ratio(exact.size, predCount.size);
  const RGA = ratio(exact.size, truthGroups.size);
  return { accurateLines, exact, GA: ratio(accurateLines, predicted.length), PGA, RGA, FGA: f1(PGA, RGA) };
}

interface Prepared {
  truth: string[];
  ids: string[];
  templates: string[];
  /** Original line index of each scored line. */
  index: number[];
  contents: string[] | null;
}

function prepare(
  truthTemplates: readonly string[],
  predictedGroupIds: readonly string[],
  predictedTemplates: readonly string[],
  opts: EvaluateOptions,
): Prepared {
  const n = truthTemplates.length;
  if (
    predictedGroupIds.length !== n ||
    predictedTemplates.length !== n ||
    (opts.contents && opts.contents.length !== n)
  ) {
    throw new Error(
      `evaluateParsing: lengths differ (truth ${n}, ids ${predictedGroupIds.length}, templates ${predictedTemplates.length}` +
        `${opts.contents ? `, contents ${opts.contents.length}` : ''})`,
    );
  }
  const p: Prepared = { truth: [], ids: [], templates: [], index: [], contents: opts.contents ? [] : null };
  for (let i = 0; i < n; i++) {
    const raw = truthTemplates[i]!;
    if (raw.trim() === '') continue;
    const content = opts.contents?.[i];
    p.truth.push(normalizeTemplate(raw, content));
    p.templates.push(normalizeTemplate(predictedTemplates[i]!, content));
    p.ids.push(predictedGroupIds[i]!);
    p.index.push(i);
    if (p.contents) p.contents.push(content!);
  }
  return p;
}

/**
 * Scores one system's parse. The three arrays are per line and of equal length: the true
 * template, the predicted group (pattern id) and the predicted template of each line.
 */
export function evaluateParsing(
  truthTemplates: readonly string[],
  predictedGroupIds: readonly string[],
  predictedTemplates: readonly string[],
  opts: EvaluateOptions = {},
): ParsingMetrics {
  const { truth, ids, templates } = prepare(truthTemplates, predictedGroupIds, predictedTemplates, opts);
  const n = truth.length;
  const truthGroups = groupsOf(truth);
  const byTemplate = grouping(truthGroups, templates);
  const byId = grouping(truthGroups, ids);

  let parsed = 0;
  for (let i = 0; i < n; i++) if (truth[i] === templates[i]) parsed++;

  // Template level: each predicted template is right when all its lines have it as truth.
  const predictedGroups = groupsOf(templates);
  let correct = 0;
  let strictCorrect = 0;
  for (const [template, lines] of predictedGroups) {
    if (!lines.every((i) => truth[i] === template)) continue;
    correct++;
    if (byTemplate.exact.has(template)) strictCorrect++;
  }
  const PTA = ratio(correct, predictedGroups.size);
  const RTA = ratio(correct, truthGroups.size);

  return {
    lines: n,
    truthTemplates: truthGroups.size,
    predictedTemplates: predictedGroups.size,
    predictedGroups: new Set(ids).size,
    GA: byTemplate.GA,
    PA: ratio(parsed, n),
    FGA: byTemplate.FGA,
    FTA: f1(PTA, RTA),
    PGA: byTemplate.PGA,
    RGA: byTemplate.RGA,
    PTA,
    RTA,
    strictFTA: f1(ratio(strictCorrect, predictedGroups.size), ratio(strictCorrect, truthGroups.size)),
    byId: { GA: byId.GA, FGA: byId.FGA },
  };
}

/** One true template that was mis-parsed or mis-grouped, with what the parser made of it. */
export interface TemplateError {
  /** The true template (normalised). */
  truth: string;
  /** Lines with this true template. */
  lines: number;
  /** Of those, lines whose predicted template differs from the truth. */
  wrongTemplate: number;
  /** The predicted templates of its lines, most lines first. */
  predicted: Array<{ template: string; lines: number }>;
  /** Its lines were spread over this many predicted groups (1 when not split). */
  splitInto: number;
  /** Other true templates that share a predicted group with it (over-generalisation). */
  mergedWith: string[];
  /** A line of this template whose prediction is wrong, or any line of it. */
  example: string | null;
  /** 1-based number of that line in the input. */
  exampleLine: number;
}

/**
 * The true templates that cost accuracy, worst first (most lines affected): those with a
 * wrong template on some line, or whose group is split or merged with another.
 */
export function parsingErrors(
  truthTemplates: readonly string[],
  predictedGroupIds: readonly string[],
  predictedTemplates: readonly string[],
  opts: ErrorOptions = {},
): TemplateError[] {
  const p = prepare(truthTemplates, predictedGroupIds, predictedTemplates, opts);
  const keys = opts.groupBy === 'id' ? p.ids : p.templates;
  const truthGroups = groupsOf(p.truth);
  const predictedGroups = groupsOf(keys);
  const errors: TemplateError[] = [];
  for (const [truth, lines] of truthGroups) {
    const counts = new Map<string, number>();
    const groups = new Set<string>();
    let wrong = 0;
    let exampleAt = lines[0]!;
    for (const i of lines) {
      const t = p.templates[i]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
      groups.add(keys[i]!);
      if (t !== truth) {
        if (wrong === 0) exampleAt = i;
        wrong++;
      }
    }
    const merged = new Set<string>();
    for (const g of groups) for (const i of predictedGroups.get(g)!) if (p.truth[i] !== truth) merged.add(p.truth[i]!);
    if (wrong === 0 && groups.size === 1 && merged.size === 0) continue;
    errors.push({
      truth,
      lines: lines.length,
      wrongTemplate: wrong,
      predicted: [...counts].map(([template, n]) => ({ template, lines: n })).sort((a, b) => b.lines - a.lines),
      splitInto: groups.size,
      mergedWith: [...merged],
      example: p.contents ? p.contents[exampleAt]! : null,
      exampleLine: p.index[exampleAt]! + 1,
    });
  }
  const cost = (e: TemplateError) =>
    Math.max(e.wrongTemplate, e.splitInto > 1 || e.mergedWith.length > 0 ? e.lines : 0);
  return errors.sort((a, b) => cost(b) - cost(a) || b.lines - a.lines);
}
