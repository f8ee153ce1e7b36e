// The example world end to end: `runDemo` with every scenario in its short mode (the real
// shop services exporting with the OpenTelemetry SDK into an `orrery up` child), then the
// world Orrery holds is checked against the truth files the demo wrote.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DemoWorld, ScenarioTruth } from '../src/demo/index.js';
import {
  type Deploy,
  type Investigation,
  type TicketDetail,
  findingsOf,
  investigationSchema,
} from '../src/model/index.js';
import type { SpanRow as Span } from '../src/store/index.js';
import type { ErrorGroupList, PatternList, ServiceGraph } from '../src/workflows/index.js';
import { freshDataDir } from './helpers/stores.js';
import { shortDemoWorld } from './helpers/demo-world.js';

/** Within 10% (or 2) of the truth: HyperLogLog is exact at these sizes, but a request in flight at a deploy may land either side. */
function near(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what}: no count`);
  const slack = Math.max(2, Math.ceil(expected * 0.1));
  assert.ok(Math.abs(actual - expected) <= slack, `${what}: ${actual}, truth ${expected} (±${slack})`);
}

describe('orrery demo --scenario all --duration short', () => {
  let world: DemoWorld;
  let dir: string;
  const truth = (name: string): ScenarioTruth => world.truth.find((t) => t.scenario === name)!;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${world.api}${path}`);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const window = () =>
    `since=${encodeURIComponent(new Date(Date.parse(world.truth[0]!.startedAt) - 120_000).toISOString())}`;

  before(async () => {
    dir = await freshDataDir();
    world = await shortDemoWorld(dir);
  });

  after(async () => {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes two named approver tokens and plans proposals on the supervisor (the demo executor)', async () => {
    assert.deepEqual(
      world.approvers.map((a) => a.name),
      ['approver-ana', 'approver-ben'],
    );
    const tokens = await get<{ tokens: Array<{ name: string; role: string }> }>('/api/tokens');
    for (const a of world.approvers) assert.equal(tokens.tokens.find((t) => t.name === a.name)?.role, 'approver');
    const res = await fetch(`${world.api}/api/proposals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: 'manual',
        action: { kind: 'restart', services: ['cart'] },
        reason: 'wiring check',
        simulate: false,
      }),
    });
    assert.equal(res.status, 201);
    const p = ((await res.json()) as { proposals: Array<{ diff: { executor: string | null; patch: string } }> })
      .proposals[0]!;
    assert.equal(p.diff.executor, 'demo');
    assert.match(p.diff.patch, /~ cart \d+\.\d+\.\d+: start \d+ new replicas/);
  });

  it('writes a truth file per scenario, each naming its deploy, culprit and hurt users', () => {
    assert.deepEqual(world.truth.map((t) => t.scenario).sort(), [
      'capacity',
      'cart-badge',
      'cpu-saturation',
      'inventory-timeout',
      'network-delay',
      'slow-dependency',
    ]);
    for (const t of world.truth) {
      const onDisk = JSON.parse(readFileSync(join(world.truthDir, `${t.scenario}.json`), 'utf8')) as ScenarioTruth;
      assert.deepEqual(onDisk, t);
      assert.ok(t.affected.users.length > 0, `${t.scenario}: nobody was affected`);
    }
    const badge = truth('cart-badge');
    assert.ok(badge.culprit && badge.firstBadDeploy, 'cart-badge has a culprit and a deploy');
    assert.equal(badge.firstBadDeploy.service, 'cart');
    assert.match(badge.culprit.file, /^services\/cart\//);
    assert.ok(badge.tickets.length > 0);
  });

  it('holds the four services and the calls between them', async () => {
    const graph = await get<ServiceGraph>(`/api/services/graph?${window()}`);
    const names = graph.nodes.filter((n) => !n.edgeOnly).map((n) => n.service);
    for (const s of ['web', 'cart', 'catalog', 'payments']) assert.ok(names.includes(s), `service ${s} in ${names}`);
    const edges = new Set(graph.edges.map((e) => `${e.caller}->${e.callee}`));
    for (const e of ['web->cart', 'web->catalog', 'web->payments', 'cart->catalog', 'payments->catalog'])
      assert.ok(edges.has(e), `edge ${e} in ${[...edges]}`);
  });

  it('holds the deploys, recorded and inferred, with their commits', async () => {
    const { deploys } = await get<{ deploys: Deploy[] }>('/api/deploys?limit=100');
    for (const d of world.deploys) {
      const stored = deploys.find((x) => x.service === d.service && x.version === d.version);
      assert.ok(stored, `deploy ${d.tag} is stored`);
      assert.equal(stored.inferred, !d.recorded, `${d.tag}: inferred=${stored.inferred}`);
      assert.equal(stored.commitSha, d.sha, `${d.tag}: commit`);
    }
    assert.ok(world.deploys.some((d) => d.recorded) && world.deploys.some((d) => !d.recorded));
  });

  it('groups the cart-badge exception in cart, counting the users it hurt', async () => {
    const t = truth('cart-badge');
    const { errors } = await get<ErrorGroupList>(`/api/errors?service=cart&${window()}`);
    const group = errors.find((e) => e.firstRelease === t.firstBadDeploy!.version);
    assert.ok(
      group,
      `an error group first seen in cart ${t.firstBadDeploy!.version}: ${JSON.stringify(errors.map((e) => [e.type, e.firstRelease]))}`,
    );
    near(group.users, t.affected.errored.length, 'users on the cart error group');
    assert.ok(Date.parse(group.firstSeen!) >= Date.parse(t.onset) - 1000, 'first seen after the deploy');
  });

  it('mines the inventory retry warning after the config change, counting its users', async () => {
    const t = truth('inventory-timeout');
    const { patterns } = await get<PatternList>(`/api/patterns?service=cart&q=retrying&${window()}`);
    const retry = patterns.find((p) => /retrying inventory reservation/i.test(p.template));
    assert.ok(retry, `a retry pattern in ${JSON.stringify(patterns.map((p) => p.template))}`);
    // The network delay on cart, earlier, can make a reservation outlast even the old 800 ms
    // timeout on a loaded machine: a few retries may come before, nearly all come after
    // (counted in the raw log lines, to the millisecond).
    const at = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const onset = Date.parse(t.onset);
    const lines = async (since: number, until: number) =>
      (
        await get<{ logs: unknown[] }>(
          `/api/logs?service=cart&grep=retrying%20inventory&since=${at(since)}&until=${at(until)}&limit=10000`,
        )
      ).logs.length;
    const before = await lines(Date.parse(t.startedAt) - 60_000, onset - 1000);
    const after = await lines(onset - 1000, Date.now());
    assert.ok(after > 0 && before <= 0.1 * after, `retry lines before the change ${before}, after ${after}`);
    near(retry.users, t.affected.users.length, 'users on the retry pattern');
  });

  it('investigates an alert on the storefront down to the cart deploy, its commit and the users it hurt', async () => {
    const t = truth('cart-badge');
    const res = await fetch(`${world.api}/api/investigations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { kind: 'alert', service: 'web', since: t.onset } }),
    });
    assert.equal(res.status, 201);
    const { investigation } = (await res.json()) as { investigation: Investigation };
    investigationSchema.parse(investigation);
    const f = investigation.result.findings;
    // With every scenario on one timeline, catalog's saturation is in the window too: cart
    // must be among the root causes, not necessarily first.
    const roots = findingsOf(f, 'root_cause_service').map((x) => x.data.service);
    assert.ok(roots.includes('cart'), `root causes: ${roots}`);
    assert.ok(f.every((x) => x.evidence.length > 0 && x.confidence >= 0 && x.confidence <= 1 && x.hint));
    const change = findingsOf(f, 'change').find((x) => x.data.service === 'cart');
    assert.equal(change?.data.commit, t.firstBadDeploy!.commit, `the cart deploy found: ${change?.title}`);
    const impact = findingsOf(f, 'impact').find((x) => x.data.service === 'cart');
    near(impact?.data.users ?? null, t.affected.errored.length, 'users in the impact finding');
    assert.match(investigation.result.summary, /\[F\d+\]/);
    const md = await (await fetch(`${world.api}/api/investigations/${investigation.id}?format=markdown`)).text();
    assert.match(md, /^# Investigation of alert on web/);
  });

  it('investigates a cart ticket down to the culprit commit, file and function, with the related tickets', async () => {
    const t = truth('cart-badge');
    const listed = await get<{ tickets: Array<{ id: number; externalId: string }> }>('/api/tickets?limit=1000');
    const idOf = new Map(listed.tickets.map((x) => [x.externalId, x.id]));
    // A ticket whose reporter Orrery saw in telemetry, from a user whose request raised the
    // error (a user who only saw a wrong badge has no failure to lead to cart): its users'
    // failures lead to cart.
    const errored = new Set(t.affected.errored);
    const writers = new Map(world.tickets.map((x) => [x.id, x.aboutUser]));
    let ticketId: number | undefined;
    for (const ext of t.tickets.filter((x) => errored.has(writers.get(x) ?? ''))) {
      const d = await get<TicketDetail>(`/api/tickets/${idOf.get(ext)}`);
      if (d.links.some((l) => l.dstKind === 'end_user' && l.attributes.observed === true)) {
        ticketId = d.ticket.id;
        break;
      }
    }
    assert.ok(ticketId, 'a cart-badge ticket from a user seen in telemetry whose request raised the error');
    const res = await fetch(`${world.api}/api/investigations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { kind: 'ticket', ticketId } }),
    });
    assert.equal(res.status, 201);
    const { investigation } = (await res.json()) as { investigation: Investigation };
    investigationSchema.parse(investigation);
    const f = investigation.result.findings;
    const suspect = f.find((x) => x.kind === 'suspect_commit');
    const said = `${f.map((x) => `${x.id} ${x.kind}: ${x.title}`).join('\n')}\ngaps: ${investigation.result.gaps.join('; ')}`;
    assert.equal(suspect?.data.sha, t.culprit!.commit, `top suspect: ${suspect?.title}\n${said}`);
    assert.ok(
      suspect!.evidence.some((e) => e.kind === 'blame'),
      'the suspect comes with its blame lines',
    );
    const place = f.find((x) => x.kind === 'code_location');
    assert.equal(place?.data.path, t.culprit!.file);
    assert.equal(place?.data.symbol, t.culprit!.function);
    const related = findingsOf(f, 'related_tickets')[0]?.data.tickets ?? [];
    assert.ok(
      related.some((r) => t.tickets.includes(r.externalId)),
      `related tickets ${related.map((r) => r.externalId)} include one of ${t.tickets}`,
    );
    assert.ok(f.some((x) => x.kind === 'next_step' && x.data.action === 'rollback' && x.data.service === 'cart'));
    const missing = await fetch(`${world.api}/api/investigations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { kind: 'ticket', ticketId: 999999 } }),
    });
    assert.equal(missing.status, 404);
  });

  /** Spans of a service between two instants (raw, from the retention window). */
  const spans = async (service: string, since: number, until: number): Promise<Span[]> => {
    const q = `service=${service}&since=${encodeURIComponent(new Date(since).toISOString())}&until=${encodeURIComponent(new Date(until).toISOString())}&limit=10000`;
    return (await get<{ spans: Span[] }>(`/api/spans?${q}`)).spans;
  };
  const SERVER = 2;
  const CLIENT = 3;

  it('shows the N+1 after the payments deploy: more catalog calls per charge, and no errors', async () => {
    const t = truth('slow-dependency');
    const onset = Date.parse(t.onset);
    const perTrace = (list: Span[]) => {
      const calls = new Map<string, number>();
      for (const s of list) if (s.kind === CLIENT) calls.set(s.traceId, (calls.get(s.traceId) ?? 0) + 1);
      return [...calls.values()];
    };
    const before = perTrace(await spans('payments', Date.parse(t.startedAt) - 60_000, onset - 1000));
    // Until the traffic triples: then catalog saturates and payments' calls to it fail for that reason.
    const calm = Date.parse(truth('capacity').onset);
    const after = perTrace(await spans('payments', onset + 1000, calm));
    assert.ok(before.length > 0 && after.length > 0, `charges before (${before.length}) and after (${after.length})`);
    assert.ok(
      before.every((n) => n === 1),
      `one batched price call per charge before: ${before}`,
    );
    assert.ok(Math.max(...after) >= 2, `a call per line after: ${after}`);
    const failed = (await spans('payments', onset, calm)).filter((s) => s.statusCode === 2);
    assert.equal(failed.length, 0, 'no errors in payments');
  });

  it("shows the network delay on cart's calls in and out, not in cart's own time, and gone when lifted", async () => {
    const t = truth('network-delay');
    assert.deepEqual(t.fault, { service: 'cart', type: 'network-delay', ms: 40 });
    assert.equal(t.culprit, null);
    assert.equal(t.firstBadDeploy, null);
    const onset = Date.parse(t.onset);
    const end = Date.parse(t.end!);
    // Each call's own time on the edge: the client span minus the server span it called.
    const edgeMs = async (caller: string, callee: string, from: number, to: number) => {
      const servers = new Map(
        (await spans(callee, from - 5_000, to + 5_000))
          .filter((s) => s.kind === SERVER)
          .map((s) => [s.parentSpanId, s]),
      );
      const out: number[] = [];
      for (const c of await spans(caller, from, to)) {
        const s = c.kind === CLIENT ? servers.get(c.spanId) : undefined;
        if (s && Date.parse(c.startTime) >= from && Date.parse(c.endTime) <= to)
          out.push((c.durationNs - s.durationNs) / 1e6);
      }
      return out.sort((a, b) => a - b)[Math.floor(out.length / 2)] ?? Number.NaN;
    };
    const start = Date.parse(t.startedAt);
    // web→cart (inbound) and cart→catalog (outbound) carry 40 ms each way; web→catalog does not.
    const rises: number[] = [];
    for (const [caller, callee] of [
      ['web', 'cart'],
      ['cart', 'catalog'],
    ] as const) {
      const before = await edgeMs(caller, callee, start, onset);
      const during = await edgeMs(caller, callee, onset + 500, end);
      assert.ok(
        during >= before + 60,
        `${caller}→${callee}: ${during.toFixed(0)} ms on the edge during, ${before.toFixed(0)} before`,
      );
      rises.push(during - before);
    }
    // A bystander edge rises by less than the delayed ones (what it moves at all is the machine's
    // queueing, which the delayed edges carry too, on top of the delay).
    const calm = await edgeMs('web', 'catalog', start, onset);
    const bystander = await edgeMs('web', 'catalog', onset + 500, end);
    assert.ok(
      bystander - calm < Math.min(...rises),
      `web→catalog: ${bystander.toFixed(0)} ms during, ${calm.toFixed(0)} before; the delayed edges rose ${rises.map((r) => r.toFixed(0)).join(', ')} ms`,
    );
  });

  it('shows catalog saturating under three times the traffic', async () => {
    const t = truth('capacity');
    const onset = Date.parse(t.onset);
    const p95 = (list: Span[]) => {
      const d = list
        .filter((s) => s.kind === SERVER)
        .map((s) => s.durationNs / 1e6)
        .sort((a, b) => a - b);
      return d[Math.floor(d.length * 0.95)] ?? 0;
    };
    const before = p95(await spans('catalog', Date.parse(t.startedAt), onset));
    const during = p95(await spans('catalog', onset, onset + 10_000));
    assert.ok(during > 2 * before, `catalog p95 ${during.toFixed(0)} ms under 3× vs ${before.toFixed(0)} ms before`);
  });

  it('files the tickets, linking reporters to the users in telemetry', async () => {
    const { tickets } = await get<{ tickets: { id: number; externalId: string }[] }>('/api/tickets?limit=500');
    const byExternal = new Map(tickets.map((t) => [t.externalId, t.id]));
    for (const id of world.tickets.map((t) => t.id)) assert.ok(byExternal.has(id), `ticket ${id} stored`);
    let linked = 0;
    for (const t of world.tickets.filter((x) => x.scenario && x.reporter?.email)) {
      const detail = await get<TicketDetail>(`/api/tickets/${byExternal.get(t.id)}`);
      const user = detail.links.find((l) => l.dstKind === 'end_user');
      assert.ok(user, `${t.id} links to its reporter`);
      const spans = await get<{ spans: unknown[] }>(
        `/api/spans?user=${encodeURIComponent(user.dstId)}&limit=1&${window()}`,
      );
      assert.equal(spans.spans.length, 1, `${t.id}: the reporter's spans are found by the linked user id`);
      linked++;
    }
    assert.ok(linked > 0, 'some scenario tickets carry an email');
    for (const t of world.tickets.filter((x) => x.accountId)) {
      const detail = await get<TicketDetail>(`/api/tickets/${byExternal.get(t.id)}`);
      assert.ok(
        detail.links.some((l) => l.dstKind === 'account' && l.dstId === t.accountId),
        `${t.id} links to account ${t.accountId}`,
      );
    }
  });
});
