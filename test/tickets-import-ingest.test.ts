// An import must not hold the embedded store's one connection until it ends: an OTLP request
// sent while an import is writing is stored and answered before the import finishes (PGlite,
// in process; not timed, only ordered).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { importTickets } from '../src/workflows/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const ROWS = 3000;

function logsRequest(service: string): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          { logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: 'during import' } }] },
        ],
      },
    ],
  });
}

describe('ticket imports and OTLP ingest', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  it('an OTLP request sent during an import completes before the import does', async () => {
    const csv = `id,title,body\n${Array.from({ length: ROWS }, (_, i) => `C-${i},Ticket ${i},"user u-${i} sees HTTP 500 on /cart/${i}"`).join('\n')}\n`;
    let otlp: Promise<{ status: number; doneAt: number; writtenWhenDone: number }> | null = null;
    let written = 0;
    const imported = importTickets(o.ctx, {
      format: 'generic-csv',
      content: csv,
      onProgress: (p) => {
        written = p.done;
        if (p.phase === 'writing' && !otlp) {
          otlp = o.server.otlp
            .inject({
              method: 'POST',
              url: '/v1/logs',
              payload: logsRequest('during-import'),
              headers: { 'content-type': 'application/json' },
            })
            .then((res) => ({ status: res.statusCode, doneAt: performance.now(), writtenWhenDone: written }));
        }
      },
    }).then((r) => ({ ...r, doneAt: performance.now() }));
    const r = await imported;
    assert.ok(otlp, 'the import reported progress while writing');
    const sent = await (otlp as unknown as Promise<{ status: number; doneAt: number; writtenWhenDone: number }>);
    assert.equal(r.created, ROWS);
    assert.equal(sent.status, 200);
    assert.ok(sent.doneAt < r.doneAt, 'the OTLP request was answered before the import finished');
    assert.ok(sent.writtenWhenDone < ROWS, `answered after ${sent.writtenWhenDone} of ${ROWS} tickets were written`);
    assert.equal((await o.store.queryLogs({ limit: 5, service: 'during-import' })).length, 1);
  });
});
