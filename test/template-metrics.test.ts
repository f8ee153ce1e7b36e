// The Loghub-2.0 parsing metrics (bench/lib/template-metrics.ts) on small hand-computed cases:
// the expected numbers are worked out by hand in the comments, not by the code under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignWithContent, evaluateParsing, normalizeTemplate, parsingErrors } from '../bench/lib/template-metrics.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

describe('normalizeTemplate', () => {
  it('collapses whitespace and consecutive parameters as Loghub-2.0 does', () => {
    assert.equal(normalizeTemplate('  exit   now\t'), 'exit now');
    assert.equal(normalizeTemplate('open <*> <*> <*>'), 'open <*>');
    assert.equal(normalizeTemplate('at <*>.<*>.<*>:<*>'), 'at <*>');
    assert.equal(normalizeTemplate('<*><*> done'), '<*> done');
    // Not consecutive: a word or other punctuation in between keeps both.
    assert.equal(normalizeTemplate('<*>, <*>'), '<*>, <*>');
    assert.equal(normalizeTemplate('<*> to <*>'), '<*> to <*>');
  });

  it('drops a parameter that stands for an empty string in the line', () => {
    assert.equal(alignWithContent('user <*> logged in<*>', 'user bob logged in'), 'user <*> logged in');
    assert.equal(alignWithContent('user <*> logged in<*>', 'user bob logged in!'), 'user <*> logged in<*>');
    // A template that does not match its line is left alone.
    assert.equal(alignWithContent('user <*> left', 'user bob logged in'), 'user <*> left');
    assert.equal(alignWithContent('a.b <*>', 'axb 1'), 'a.b <*>');
  });
});

describe('evaluateParsing', () => {
  // 9 lines. Truth, after normalisation, has 5 templates:
  //   O "open <*>" {1,2,3,9}   C "close <*>" {4,5}   X "exit now" {6}   S "stop <*>" {7}   H "halt <*>" {8}
  const truth = [
    'open <*>',
    'open <*>',
    'open <*>',
    'close <*>',
    'close <*>',
    'exit  now',
    'stop <*>',
    'halt <*>',
    'open <*>',
  ];
  const ids = ['a', 'a', 'b', 'c', 'c', 'd', 'e', 'e', 'f'];
  const templates = [
    'open <*>',
    'open <*>',
    'open <*> <*>',
    'close <*>s',
    'close <*>s',
    'exit now',
    '<*> <*>',
    '<*> <*>',
    'open <*> x',
  ];
  // Predicted, keyed by normalised template, 5 groups:
  //   P1 "open <*>" {1,2,3} (line 3's "open <*> <*>" collapses into it)   P2 "close <*>s" {4,5}
  //   P3 "exit now" {6}   P4 "<*>" {7,8}   P5 "open <*> x" {9}
  const m = evaluateParsing(truth, ids, templates);

  it('counts templates and groups', () => {
    assert.equal(m.lines, 9);
    assert.equal(m.truthTemplates, 5);
    assert.equal(m.predictedTemplates, 5);
    assert.equal(m.predictedGroups, 6);
  });

  it('GA and FGA: a true group counts when one predicted group holds exactly its lines', () => {
    // O is spread over P1 and P5: wrong. C = P2 exactly: right (2 lines). X = P3: right (1 line).
    // S and H share P4, which holds 2 lines: both wrong.
    // GA = (2 + 1) / 9 = 0.3333…; PGA = 2/5, RGA = 2/5, FGA = 2·0.4·0.4 / 0.8 = 0.4
    close(m.GA, 3 / 9, 'GA');
    close(m.PGA, 2 / 5, 'PGA');
    close(m.RGA, 2 / 5, 'RGA');
    close(m.FGA, 0.4, 'FGA');
  });

  it('PA: a line counts when its normalised template equals the truth', () => {
    // Right: lines 1, 2, 3 ("open <*> <*>" → "open <*>") and 6 ("exit now" = "exit  now").
    // Wrong: 4, 5 ("close <*>s"), 7, 8 ("<*>"), 9 ("open <*> x"). PA = 4/9.
    close(m.PA, 4 / 9, 'PA');
  });

  it('FTA: a template counts when all its lines have it as truth (Loghub-2.0)', () => {
    // P1 "open <*>": lines 1–3 all have truth "open <*>": right (though line 9 is elsewhere).
    // P3 "exit now": right. P2, P4, P5: wrong. PTA = 2/5, RTA = 2/5, FTA = 0.4.
    close(m.PTA, 2 / 5, 'PTA');
    close(m.RTA, 2 / 5, 'RTA');
    close(m.FTA, 0.4, 'FTA');
    // Strict: P1's lines {1,2,3} are not all of O {1,2,3,9}, so only P3 counts:
    // precision 1/5, recall 1/5, F1 = 0.2.
    close(m.strictFTA, 0.2, 'strictFTA');
  });

  it('reports grouping by pattern id beside it', () => {
    // By id: a{1,2} b{3} c{4,5} d{6} e{7,8} f{9} = 6 groups. O spread over a, b, f: wrong;
    // C = c, X = d: right; S, H share e: wrong. GA = 3/9.
    // PGA = 2/6, RGA = 2/5, FGA = 2·(1/3)(2/5) / (1/3 + 2/5) = (4/15) / (11/15) = 4/11.
    close(m.byId.GA, 3 / 9, 'byId.GA');
    close(m.byId.FGA, 4 / 11, 'byId.FGA');
  });

  it('leaves lines with an empty truth out of every metric', () => {
    // Line 2 has no truth: 2 lines remain, both right. GA = PA = FGA = FTA = 1.
    const r = evaluateParsing(['a <*>', '', 'b'], ['1', '2', '3'], ['a <*>', 'zzz', 'b']);
    assert.equal(r.lines, 2);
    for (const k of ['GA', 'PA', 'FGA', 'FTA'] as const) close(r[k], 1, k);
  });

  it('aligns empty parameters with the line contents when they are given', () => {
    // Truth "user <*> logged in<*>" with an empty trailing parameter on line 1 becomes
    // "user <*> logged in" there; the miner's "user <*> logged in" is then right on line 1.
    // Line 2's trailing "!" keeps the parameter, and the miner's template differs: wrong.
    const truth2 = ['user <*> logged in<*>', 'user <*> logged in<*>'];
    const contents = ['user bob logged in', 'user amy logged in!'];
    const pred = ['user <*> logged in', 'user <*> logged in <*>'];
    close(evaluateParsing(truth2, ['1', '2'], pred).PA, 0, 'PA without contents');
    close(evaluateParsing(truth2, ['1', '2'], pred, { contents }).PA, 1 / 2, 'PA with contents');
  });

  it('rejects arrays of different lengths', () => {
    assert.throws(() => evaluateParsing(['a'], ['1', '2'], ['a']), /lengths differ/);
  });
});

describe('parsingErrors', () => {
  it('lists the true templates that cost accuracy, worst first, with what was mined', () => {
    const truth = ['open <*>', 'open <*>', 'open <*>', 'close <*>', 'stop <*>', 'halt <*>'];
    const ids = ['a', 'a', 'a', 'c', 'e', 'e'];
    const templates = ['open <*>', 'open <*>', 'open x', 'close <*>', '<*> <*>', '<*> <*>'];
    const contents = ['open 1', 'open 2', 'open x', 'close 3', 'stop 4', 'halt 5'];
    const errors = parsingErrors(truth, ids, templates, { contents });
    // "close <*>" is right and absent. "open <*>": 3 lines, split into 2 templates, 1 wrong.
    // "stop <*>" and "halt <*>": 1 line each, merged into "<*>".
    assert.deepEqual(
      errors.map((e) => [e.truth, e.lines, e.wrongTemplate, e.splitInto, e.mergedWith]),
      [
        ['open <*>', 3, 1, 2, []],
        ['stop <*>', 1, 1, 1, ['halt <*>']],
        ['halt <*>', 1, 1, 1, ['stop <*>']],
      ],
    );
    assert.deepEqual(errors[0]!.predicted, [
      { template: 'open <*>', lines: 2 },
      { template: 'open x', lines: 1 },
    ]);
    // The example is the first wrongly parsed line of the template.
    assert.equal(errors[0]!.example, 'open x');
    assert.equal(errors[0]!.exampleLine, 3);
  });

  it('can judge splits and merges by pattern id instead of template string', () => {
    // Two patterns with the same template: one group by template (no error), split by id.
    const truth = ['a <*>', 'a <*>', 'b'];
    const ids = ['1', '2', '3'];
    const templates = ['a <*>', 'a <*>', 'b'];
    assert.deepEqual(parsingErrors(truth, ids, templates), []);
    assert.deepEqual(
      parsingErrors(truth, ids, templates, { groupBy: 'id' }).map((e) => [
        e.truth,
        e.lines,
        e.wrongTemplate,
        e.splitInto,
        e.mergedWith,
      ]),
      [['a <*>', 2, 0, 2, []]],
    );
  });
});
