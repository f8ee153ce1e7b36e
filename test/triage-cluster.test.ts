// triage@1's clustering, pure: an error group and the log pattern that follows it are one
// problem; an upstream symptom joins its downstream cause over a graph edge (and only over
// one); a ticket that names the error joins it; duplicate tickets with no telemetry are one
// problem; a pattern that follows nothing stays apart; priority orders the queue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { follows, pearson, triageProblems } from '../src/analysis/triage/index.js';
import { BUCKETS, MIN, T0, at, burst, error, input, pattern, range, ticket, users } from './helpers/triage-inputs.js';

describe('triage@1 clustering', () => {
  const cartError = error('cart', 'price', burst(40, 60, 10, 2), { userSketches: users(range('u', 30)) });

  it('merges an error group and the log pattern whose series follows it into one problem, saying why', () => {
    const follower = pattern(
      'cart',
      'checkout',
      'ERROR',
      cartError.series.map((v) => v * 2 + 1),
      { firstSeen: at(0), trend: 'rising' },
    );
    assert.ok(pearson(follower.series, cartError.series)! > 0.99);
    const r = triageProblems(input({ errors: [cartError], patterns: [follower] }));
    assert.equal(r.problems.length, 1);
    const p = r.problems[0]!;
    assert.equal(p.key, 'error:cart:price');
    assert.deepEqual(
      p.members.map((m) => [m.key, m.role]),
      [
        ['error:cart:price', 'seed'],
        ['pattern:cart:checkout', 'attached'],
      ],
    );
    assert.match(p.members[1]!.why, /r=1\.00 over 60 active buckets/);
    assert.equal(p.events, cartError.count + follower.count);
  });

  it('keeps a pattern that follows nothing apart: its own problem when new, background when steady', () => {
    const other = pattern('cart', 'inventory', 'ERROR', burst(5, 15, 4, 1));
    const background = pattern(
      'cart',
      'retry',
      'WARN',
      Array.from({ length: BUCKETS }, (_, i) => 3 + (i % 5)),
      { trend: 'steady', firstSeen: at(-600) },
    );
    const r = triageProblems(input({ errors: [cartError], patterns: [other, background] }));
    assert.deepEqual(r.problems.map((p) => p.key).sort(), ['error:cart:price', 'pattern:cart:inventory']);
    assert.equal(r.problems.find((p) => p.key === 'error:cart:price')!.members.length, 1);
    assert.equal(r.ignoredPatterns, 1);
    // A pattern of another service never joins, however alike its series.
    const elsewhere = pattern('web', 'checkout', 'ERROR', cartError.series);
    const r2 = triageProblems(input({ errors: [cartError], patterns: [elsewhere] }));
    assert.deepEqual(r2.problems.map((p) => p.key).sort(), ['error:cart:price', 'pattern:web:checkout']);
  });

  it('merges an upstream symptom into its downstream cause over a caller → callee edge, and only over one', () => {
    const webError = error(
      'web',
      'gateway',
      cartError.series.map((v) => (v ? v + 1 : 0)),
      {
        type: 'FetchError',
        message: 'request to http://cart/checkout failed',
        userSketches: users(range('u', 45)),
      },
    );
    const withEdge = triageProblems(
      input({ errors: [cartError, webError], edges: [{ caller: 'web', callee: 'cart' }] }),
    );
    assert.equal(withEdge.problems.length, 1);
    const p = withEdge.problems[0]!;
    assert.equal(p.key, 'error:cart:price', 'the callee is the cause');
    assert.equal(p.service, 'cart');
    assert.deepEqual(p.mergedFrom, ['error:web:gateway']);
    assert.deepEqual(p.services.sort(), ['cart', 'web']);
    const merged = p.members.find((m) => m.key === 'error:web:gateway')!;
    assert.equal(merged.role, 'merged');
    assert.match(merged.why, /upstream symptom: web calls cart/);
    // Users are the union of both groups' sketches: the 30 cart users are among web's 45.
    assert.ok(p.users! >= 44 && p.users! <= 46, `users ${p.users}`);

    const noEdge = triageProblems(input({ errors: [cartError, webError] }));
    assert.equal(noEdge.problems.length, 2);
    const reversed = triageProblems(
      input({ errors: [cartError, webError], edges: [{ caller: 'cart', callee: 'web' }] }),
    );
    assert.deepEqual(reversed.problems[0]!.mergedFrom, ['error:cart:price'], 'the edge decides which is the cause');
  });

  it('joins signals on a shared sampled trace or a quoted message even when their series differ', () => {
    const logLine = pattern('cart', 'summary', 'ERROR', burst(5, 15, 4, 1), {
      traces: ['t-1', 'abc'],
      trend: 'steady',
      firstSeen: at(-900),
    });
    const seeded = { ...cartError, traces: ['xyz', 'abc'] };
    const r = triageProblems(input({ errors: [seeded], patterns: [logLine] }));
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!.members[1]!.why, /shares sampled trace abc/);

    // An upstream error that carries the callee's message is its symptom, whatever the series.
    const upstream = error('web', 'upstream', burst(2, 20, 3, 1), {
      type: 'UpstreamError',
      message: `GET http://cart/summary answered 500: ${cartError.message}`,
      trend: 'steady',
      firstSeen: at(-900),
    });
    const merged = triageProblems(input({ errors: [cartError, upstream], edges: [{ caller: 'web', callee: 'cart' }] }));
    assert.equal(merged.problems.length, 1);
    assert.match(merged.problems[0]!.members[1]!.why, /upstream symptom: web calls cart .*quotes its message/);
  });

  it("never merges a caller whose error began before the callee's, nor counts a shared onset in a new service", () => {
    // The caller's series follows the callee's, but it began five minutes earlier: not its symptom.
    const early = error('web', 'early', burst(35, 60, 10, 2), { type: 'RangeError', message: 'bad range in pager' });
    const r = triageProblems(input({ errors: [cartError, early], edges: [{ caller: 'web', callee: 'cart' }] }));
    assert.equal(r.problems.length, 2);

    // Two blips first seen together: one fault when the service was long known, no evidence when it just appeared.
    const blip = (service: string, fp: string, message: string) => error(service, fp, burst(50, 51, 3), { message });
    const pair = [
      blip('cart', 'a', 'inventory lookup exploded badly'),
      blip('web', 'b', 'session cookie rejected twice'),
    ];
    const edges = [{ caller: 'web', callee: 'cart' }];
    assert.equal(triageProblems(input({ errors: pair, edges })).problems.length, 1);
    const young = { cart: at(45), web: at(45) };
    assert.equal(triageProblems(input({ errors: pair, edges, serviceFirstSeen: young })).problems.length, 2);
  });

  it('attaches a ticket that names the error, and leaves a bare error type that two problems share unattached', () => {
    const other = error('search', 'query', burst(0, 30, 6, 1), {
      message: 'Cannot read properties of null (reading length)',
      trend: 'steady',
    });
    const names = ticket(
      7,
      'Checkout crashes',
      "I get TypeError: Cannot read properties of undefined (reading 'price') when I pay",
      ['error:TypeError', "error:cannot read properties of undefined (reading 'price')", 'user:u-9'],
    );
    const vague = ticket(8, 'Something broke', 'The page says TypeError', ['error:TypeError']);
    const r = triageProblems(input({ errors: [cartError, other], tickets: [names, vague] }));
    const cart = r.problems.find((p) => p.key === 'error:cart:price')!;
    assert.deepEqual(cart.tickets, [7]);
    assert.equal(cart.priority.inputs.tickets, 1);
    assert.match(cart.members.find((m) => m.kind === 'ticket')!.why, /quotes the error .*names TypeError/);
    assert.deepEqual(r.problems.find((p) => p.key === 'error:search:query')!.tickets, []);
    const alone = r.problems.find((p) => p.key === 'tickets:8');
    assert.ok(alone, 'the vague ticket is its own problem');
    assert.equal(alone.kind, 'tickets');
    // The ticket's user joins the reach: 30 users in the sketch plus u-9.
    assert.ok(cart.users! >= 30 && cart.users! <= 32, `users ${cart.users}`);
  });

  it("weighs a ticket's place clues toward the problem whose own service they name, and needs more than a hurt user", () => {
    // catalog's timeout shows up in cart as an upstream error (merged into catalog's problem);
    // cart also has its own TypeError.
    const timeout = error('catalog', 'pool', burst(45, 60, 6, 1), {
      type: 'PoolTimeoutError',
      message: 'timed out waiting for a database connection',
    });
    const upstream = error('cart', 'upstream', burst(45, 60, 6, 1), {
      type: 'UpstreamError',
      message: 'POST http://catalog/reserve answered 503: timed out waiting for a database connection',
    });
    const edges = [{ caller: 'cart', callee: 'catalog' }];
    const hurt = {
      service: 'cart',
      text: "GET /carts/7 failed: Cannot read properties of undefined (reading 'price')",
    };
    const placed = ticket(31, 'cart count wrong', 'the basket number is wrong', ['service:cart'], {
      linkedServices: ['cart'],
      userErrors: [hurt],
    });
    const onlyHurt = ticket(32, 'Where is my order?', 'It has been a week', [], { userErrors: [hurt] });
    const r = triageProblems(input({ errors: [cartError, timeout, upstream], edges, tickets: [placed, onlyHurt] }));
    const cart = r.problems.find((p) => p.key === 'error:cart:price')!;
    const catalog = r.problems.find((p) => p.key === 'error:catalog:pool')!;
    assert.deepEqual(catalog.mergedFrom, ['error:cart:upstream']);
    assert.deepEqual(cart.tickets, [31]);
    assert.match(
      cart.members.find((m) => m.kind === 'ticket')!.why,
      /scoring 3 \(is linked to cart; a user it names hit this error in cart\)/,
    );
    assert.deepEqual(catalog.tickets, []);
    assert.ok(
      r.problems.some((p) => p.key === 'tickets:32'),
      'a hurt user alone does not attach a ticket about something else',
    );
  });

  it('merges two duplicate tickets with no telemetry into one ticket problem, and leaves an unrelated ticket apart', () => {
    const a = ticket(
      21,
      'Pay button on checkout does nothing',
      'When I click pay on the checkout page nothing happens at all',
      ['user:u-77'],
      {
        reporterHash: 'h:aa',
      },
    );
    const b = ticket(
      25,
      'Checkout pay button does nothing',
      'Clicking the pay button on checkout does nothing, again',
      ['user:u-77'],
      {
        reporterHash: 'h:aa',
        createdAt: T0 + 55 * MIN,
      },
    );
    const c = ticket(
      23,
      'Please change my invoice address',
      'Our company moved; the invoice address should be updated',
      ['account:acme'],
    );
    const r = triageProblems(input({ tickets: [a, b, c] }));
    assert.deepEqual(r.problems.map((p) => [p.key, p.tickets]).sort(), [
      ['tickets:21', [21, 25]],
      ['tickets:23', [23]],
    ]);
    const dup = r.problems.find((p) => p.key === 'tickets:21')!;
    assert.equal(dup.title, a.title, 'titled by the first ticket');
    assert.match(dup.members[1]!.why, /duplicate of #21/);
    assert.equal(dup.users, 2, 'u-77 and the reporter');
    assert.equal(dup.priority.inputs.severity, 0.5);
  });

  it('orders the queue by priority: more users first, an error before a warning with the same reach', () => {
    const big = error('cart', 'big', burst(30, 60, 5, 1), { userSketches: users(range('b', 200)), trend: 'steady' });
    const small = error('search', 'small', burst(0, 60, 50, 1), {
      userSketches: users(range('s', 5)),
      trend: 'steady',
    });
    const warn = pattern('billing', 'slow', 'WARN', burst(30, 60, 5, 1), { userSketches: users(range('w', 200)) });
    const r = triageProblems(input({ errors: [small, big], patterns: [warn] }));
    assert.deepEqual(
      r.problems.map((p) => p.key),
      ['error:cart:big', 'pattern:billing:slow', 'error:search:small'],
    );
    const [first, second] = r.problems;
    assert.equal(first!.priority.inputs.severity, 1);
    assert.equal(second!.priority.inputs.severity, 0.4);
    assert.ok(first!.priority.score > second!.priority.score && second!.priority.score > r.problems[2]!.priority.score);
    assert.match(first!.priority.formula, /severity × \(log10\(1\+users\)/);
    for (const rule of [
      'seeds a problem',
      'sampled trace',
      'quotes',
      'Pearson',
      'calls',
      'ticket',
      'duplicates',
      'priority',
    ]) {
      assert.ok(
        r.rules.some((x) => x.includes(rule)),
        `rules mention ${rule}`,
      );
    }
  });

  it('computes r over sparse series as Pearson does over the whole window', () => {
    let seed = 11;
    const rnd = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (const density of [0.02, 0.3, 1]) {
      for (let k = 0; k < 20; k++) {
        const a = Array.from({ length: 240 }, () => (rnd() < density ? Math.floor(rnd() * 20) : 0));
        const b = a.map((v, i) => (rnd() < density ? Math.floor(rnd() * 20) : 0) + (i % 2 ? v : 0));
        const f = follows({ series: a, firstSeenMs: null }, { series: b, firstSeenMs: null }, 0, {
          minCorrelation: -1,
          minActiveBuckets: 0,
          firstSeenSlackMs: 0,
        });
        const r = pearson(a, b);
        if (r === null) assert.equal(f, null);
        else assert.ok(Math.abs(f!.r! - r) < 1e-9, `density ${density}: ${f!.r} vs ${r}`);
      }
    }
  });

  it('refuses series that do not match the window', () => {
    assert.throws(() => triageProblems(input({ errors: [error('cart', 'x', [1, 2, 3])] })), /3 buckets, the window 60/);
  });
});
