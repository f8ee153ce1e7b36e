// An import must not hold the embedded store's one connection (nor the event loop) until it
// ends: an OTLP request sent while an import is writing is stored and answered before the import
// finishes (PGlite, in process; not timed, only ordered); a large file is read in a worker thread.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  INLINE_PARSE_BYTES,
  ImportError,
  parseImport,
  parseImportOffThread,
} from '../src/ingest/sources/tickets/index.js';
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

describe('reading a large export off the main thread', () => {
  it('gives what parseImport gives, and the same ImportError naming the row', async () => {
    const rows = ['id,title,body,created'];
    for (let i = 0; rows.join('\n').length <= INLINE_PARSE_BYTES; i++)
      rows.push(`W-${i},Title ${i},"user u-${i} sees HTTP 502 on /cart/${i}",2026-11-22T10:00:00Z`);
    const csv = `${rows.join('\n')}\n`;
    assert.ok(csv.length > INLINE_PARSE_BYTES);
    assert.deepEqual(
      await parseImportOffThread('auto', csv, { source: 'shop' }),
      parseImport('auto', csv, { source: 'shop' }),
    );
    await assert.rejects(
      parseImportOffThread('generic-csv', `${csv}W-x,,no title,\n`),
      (err: Error) =>
        err instanceof ImportError &&
        new RegExp(`row ${rows.length} \\(line ${rows.length + 1}\\): missing required field "title"`).test(
          err.message,
        ),
    );
  });
});
