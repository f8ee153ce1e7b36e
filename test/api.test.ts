// The query and status API routes, in process: validation errors name the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { logRecord, span } from './helpers/records.js';

describe('API routes', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
    await o.store.writeTelemetry({ logs: [logRecord({ body: 'api visible' })], spans: [span()], metrics: [] });
  });
  after(() => o.cleanup());

  const get = (url: string) => o.server.api.inject({ method: 'GET', url });

  it('GET /api/status reports the backend, retention and counts', async () => {
    const res = await get('/api/status');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.store.backend, 'pglite');
    assert.equal(body.store.retentionDays, 7);
    assert.equal(body.store.raw.log_record.count, 1);
    assert.equal(body.store.entities.ticket, 0);
  });

  it('GET /api/logs and /api/spans filter and limit', async () => {
    assert.equal((await get('/api/logs?grep=visible&since=1h')).json().logs.length, 1);
    assert.equal((await get('/api/logs?grep=invisible')).json().logs.length, 0);
    assert.equal((await get('/api/spans?trace=0af7651916cd43dd8448eb211c80319c')).json().spans.length, 1);
    assert.equal((await get('/api/spans?user=u-1&limit=1')).json().spans.length, 1);
  });

  it('answers 400 naming the bad field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/logs?since=yesterday', /since: "yesterday" is not a time/],
      ['/api/logs?limit=0', /limit/],
      ['/api/logs?limit=100001', /limit/],
      ['/api/spans?trace=xyz', /trace: must be a 32-digit hex trace id/],
      ['/api/spans?trace=0af7651916cd43dd', /trace: must be a 32-digit hex trace id/],
    ];
    for (const [url, re] of cases) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, url);
      assert.match(res.json().message, re);
    }
  });

  it('answers 400 for a malformed JSON body and 415 for a wrong content type', async () => {
    const bad = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.statusCode, 400);
    const wrong = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(wrong.statusCode, 415);
  });
});
