// /api/investigations in process: bad subjects are 400 with a reason, unknown ids 404, and
// an alert with no telemetry still answers, with its gaps stated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Investigation } from '../src/model/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

describe('/api/investigations', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());
  const post = (payload: unknown) => o.server.api.inject({ method: 'POST', url: '/api/investigations', payload: payload as object });

  it('refuses malformed and unsupported subjects with 400 and a reason', async () => {
    for (const [payload, reason] of [
      [{}, /subject/],
      [{ subject: { kind: 'alert', service: 'web' } }, /since/],
      [{ subject: { kind: 'alert', service: 'web', since: 'yesterday-ish' } }, /since/],
      [{ subject: { kind: 'alert', service: '', since: '30m' } }, /service/],
      [{ subject: { kind: 'ticket', ticketId: 3 } }, /not supported yet/],
      [{ subject: { kind: 'weather' } }, /kind/],
    ] as const) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json().message, reason, JSON.stringify(payload));
    }
    const future = await post({ subject: { kind: 'alert', service: 'web', since: new Date(Date.now() + 3_600_000).toISOString() } });
    assert.equal(future.statusCode, 400);
    assert.match(future.json().message, /in the past/);
  });

  it('answers an alert with no telemetry with its gaps, stores it, and shows it as Markdown', async () => {
    const first = await post({ subject: { kind: 'alert', service: 'web', since: '30m' } });
    assert.equal(first.statusCode, 201, first.body);
    const run = first.json().investigation as Investigation;
    assert.deepEqual(run.result.findings, []);
    assert.ok(run.result.gaps.some((g) => /no telemetry from web/.test(g)), run.result.gaps.join('; '));
    const shown = await o.server.api.inject({ method: 'GET', url: `/api/investigations/${run.id}?format=markdown` });
    assert.equal(shown.statusCode, 200);
    assert.match(shown.headers['content-type'] as string, /text\/markdown/);
    assert.match(shown.body, /## Not covered/);
    assert.equal((await o.server.api.inject({ method: 'GET', url: '/api/investigations/999999' })).statusCode, 404);
    const list = await o.server.api.inject({ method: 'GET', url: '/api/investigations' });
    assert.equal(list.json().investigations[0].id, run.id);
  });
});
