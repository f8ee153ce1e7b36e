// explain@1 and ask@1's pure core on a hand-made world (test/helpers/answer-world.ts): the
// runtime graph from spans, target resolution (found, ambiguous, unknown with the nearest
// names), explain's sections, the question shapes, the path walk across HTTP edges, and the
// LLM prose check (an answer citing nothing it was given is rejected).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildAsk,
  buildExplain,
  checkAnswerText,
  nearestNames,
  parseQuestion,
  resolveTarget,
} from '../src/analysis/index.js';
import { fixtureWorld } from './helpers/answer-world.js';

describe('answer core', () => {
  const world = fixtureWorld();

  it('builds the runtime graph: endpoints, internal spans, in-process calls and HTTP edges', () => {
    const edges = world.runtime.edges.map(
      (e) =>
        `${e.from.split('\u0000').slice(1).join(' ')} -${e.kind}-> ${e.to.split('\u0000').slice(1).join(' ')} x${e.traces}`,
    );
    assert.deepEqual(edges.sort(), [
      'orders POST /orders -call-> orders placeOrder x3',
      'orders placeOrder -http-> payments POST /charges x3',
      'web POST /checkout -http-> orders POST /orders x3',
    ]);
    assert.equal(world.runtime.logs.length, 3);
  });

  it('resolves targets, lists the candidates of an ambiguous one and suggests the nearest names', () => {
    const found = resolveTarget(world, 'placeOrder');
    assert.equal(found.kind, 'found');
    const amb = resolveTarget(world, '/orders');
    assert.equal(amb.kind, 'ambiguous');
    assert.deepEqual(amb.kind === 'ambiguous' && amb.candidates.map((c) => c.name).sort(), [
      'DELETE /orders',
      'POST /orders',
    ]);
    const unknown = resolveTarget(world, 'placeOrdr');
    assert.equal(unknown.kind, 'unknown');
    assert.equal(unknown.kind === 'unknown' && unknown.suggestions[0], 'placeOrder');
    assert.equal(resolveTarget(world, 'orders/place.js:19').kind, 'found');
    assert.deepEqual(nearestNames('zzzzzzzz', ['placeOrder']), []);
  });

  it('explains a function: static and runtime callers, callees, routes, downstream, errors, owners, problems', () => {
    const r = resolveTarget(world, 'placeOrder');
    assert.equal(r.kind, 'found');
    if (r.kind !== 'found') return;
    const ex = buildExplain(world, 'placeOrder', r);
    const text = (t: string) =>
      ex.sections
        .find((s) => s.title === t)!
        .lines.map((l) => l.text)
        .join('\n');
    assert.match(
      text('Callers'),
      /POST \/orders handler \(orders\/server\.js:5\) calls it; runtime-confirmed in 3 sampled traces/,
    );
    assert.match(text('Callees'), /calls validate \(orders\/place\.js:17\) \(static\)/);
    assert.match(text('Routes that reach it'), /web POST \/checkout/);
    assert.match(text('Downstream services'), /placeOrder\(\) calls payments POST \/charges .*handled by charge/);
    assert.match(text('Error groups'), /TypeError/);
    assert.match(text('Owners and recent commits'), /@shop\/orders/);
    assert.match(text('Open problems'), /problem 3/);
    for (const s of ex.sections) for (const l of s.lines) assert.ok(l.evidence.length > 0, l.text);
  });

  it('reads the five question shapes', () => {
    assert.deepEqual(parseQuestion('Walk me through how checkout reaches payments?'), {
      intent: 'path',
      subject: 'checkout',
      to: 'payments',
    });
    assert.deepEqual(parseQuestion('how does route POST /checkout reach service payments'), {
      intent: 'path',
      subject: 'POST /checkout',
      to: 'payments',
    });
    assert.equal(parseQuestion('what calls function placeOrder?').subject, 'placeOrder');
    assert.deepEqual(parseQuestion('where is "charged card for order o-1" logged?'), {
      intent: 'logged',
      subject: 'charged card for order o-1',
      to: null,
    });
    assert.equal(parseQuestion('who owns the code behind endpoint POST /orders?').subject, 'POST /orders');
    assert.deepEqual(parseQuestion('where is the basket validated?'), { intent: 'where', subject: 'basket', to: null });
  });

  it('walks web → orders → payments step by step, each step citing code or a trace', () => {
    const r = buildAsk({ question: 'how does POST /checkout reach payments?', world });
    assert.ok(r.path);
    assert.deepEqual(
      r.path.map((s) => `${s.kind} ${s.service} ${s.name}`),
      [
        'handler web POST /checkout',
        'http web web POST /checkout → orders POST /orders',
        'handler orders POST /orders',
        'call orders orders POST /orders → orders placeOrder()',
        'span orders placeOrder',
        'http orders orders placeOrder() → payments POST /charges',
        'handler payments POST /charges',
      ],
    );
    assert.equal(r.path[0]!.ref, 'web/server.js:10');
    assert.ok(r.lines.every((l) => l.evidence.some((e) => e.ref || e.query)));
  });

  it('answers callers, logged and owners questions with the entities they name', () => {
    const callers = buildAsk({ question: 'what calls placeOrder?', world });
    assert.ok(callers.entities.some((e) => e.name === 'web POST /checkout'));
    const logged = buildAsk({ question: 'where is "charged card for order o-1 (3 lines)" logged?', world });
    assert.match(logged.lines[0]!.text, /payments\/charges\.js:12, in charge, service payments/);
    assert.ok(logged.entities.some((e) => e.name === 'payments POST /charges'));
    const owners = buildAsk({ question: 'who owns the code behind endpoint POST /orders?', world });
    assert.ok(owners.entities.some((e) => e.kind === 'owner' && e.name === '@shop/orders'));
    const unknown = buildAsk({ question: 'how does nothing reach zzz?', world });
    assert.equal(unknown.path, null);
    assert.ok(unknown.gaps.length > 0);
  });

  it("checks an LLM's prose against the answer's lines: cited and supported, or rejected", () => {
    const r = buildAsk({ question: 'how does POST /checkout reach payments?', world });
    const good = checkAnswerText(
      'A checkout enters web at web/server.js:10 [F1]. It calls orders over HTTP [F2], and placeOrder calls payments [F6].',
      r,
    );
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.equal(checkAnswerText('Checkout calls payments directly.', r).ok, false);
    assert.equal(checkAnswerText('Checkout calls payments [F99].', r).ok, false);
    assert.equal(checkAnswerText('Checkout takes 950 ms [F1].', r).ok, false);
  });
});
