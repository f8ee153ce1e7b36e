// Grammars load per language, once per thread, when first asked for: a parse of a language
// not loaded yet is refused with a clear error on a thread's parsers, and the parse pool
// (inline or on workers) loads what each file needs.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadCodeParsers } from '../src/ingest/sources/git/grammars.js';
import { type ParsePool, openParsePool } from '../src/ingest/sources/git/parse-pool.js';

const RUST = 'fn main() { log::info!("started {}", 1); }\n';

describe('lazy grammar loading', () => {
  const pools: ParsePool[] = [];
  after(async () => {
    for (const p of pools) await p.close();
  });

  it('loads only the languages asked for, and the rest on request', async () => {
    const parsers = await loadCodeParsers(['python']);
    assert.equal(parsers.parse('python', 'def f():\n    pass\n').symbols[0]?.name, 'f');
    assert.throws(() => parsers.parse('rust', RUST), /grammar for "rust" is not loaded/);
    await parsers.load(['rust']);
    assert.equal(parsers.parse('rust', RUST).callsites[0]?.template, 'started <*>');
    assert.equal(await loadCodeParsers(['rust']), parsers);
    await assert.rejects(parsers.load(['kotlin' as never]), /no grammar for language "kotlin"/);
  });

  for (const workers of [0, 1]) {
    it(`parses any language through the pool (${workers} workers)`, async () => {
      const pool = await openParsePool({ workers });
      pools.push(pool);
      const [rust, cs] = await Promise.all([
        pool.parse('rust', RUST),
        pool.parse('csharp', 'class A { void M() { _logger.LogWarning("low {Level}", l); } }'),
      ]);
      assert.equal(rust.callsites[0]?.level, 'info');
      assert.deepEqual(
        cs.callsites.map((c) => [c.level, c.template, c.symbol]),
        [['warn', 'low <*>', 'A.M']],
      );
    });
  }
});
