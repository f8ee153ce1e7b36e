// The hostile corpus (test/fixtures/hostile/*.json): each request a hostile client sends —
// NUL bytes, JSON nested 100,000 deep, varints past 64 bits, lengths past the buffer, a gzip
// bomb, invalid UTF-8, a 1 MiB attribute key, impossible times, duplicate keys, the wrong
// Content-Type or encoding, empty bodies, truncated protobuf, __proto__ and constructor keys,
// hostile query values — gets its status and a message that says what was wrong; afterwards
// no prototype is polluted and the server still answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadCorpus, messageOf, send } from '../bench/lib/fuzz/corpus.js';
import { type FuzzServer, fuzzServer, healthy } from '../bench/lib/fuzz/harness.js';
import { freshPglite } from './helpers/stores.js';

describe('the hostile corpus', () => {
  let s: FuzzServer;
  let cleanup: () => Promise<void>;
  let sentryKey = '';

  before(async () => {
    const fresh = await freshPglite();
    cleanup = fresh.cleanup;
    s = await fuzzServer(fresh.store);
    sentryKey = (await fresh.store.createSentryProject('fuzz')).key;
  });
  after(async () => {
    await s?.close();
    await cleanup?.();
  });

  const corpus = loadCorpus();
  it('holds the cases of every kind', () => {
    assert.ok(corpus.length >= 50, `${corpus.length} cases`);
    assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'case names are unique');
  });

  for (const c of corpus) {
    it(`${c.name}: ${c.status}`, async () => {
      const answer = await send(s, c, sentryKey);
      const message = messageOf(answer);
      assert.equal(answer.status, c.status, `${c.method} ${c.url}: ${answer.status} ${message.slice(0, 300)}`);
      assert.ok(message.includes(c.message), `"${c.message}" not in: ${message.slice(0, 300)}`);
    });
  }

  it('afterwards no prototype is polluted and the server still answers', async () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    assert.ok(await healthy(s));
  });
});
