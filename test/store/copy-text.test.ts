// COPY text encoders: the cached timestamp formatter against Date, and JSON/text escaping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { json, text, timestampNs } from '../../src/store/copy-text.js';

/** The straightforward formatter the cached one must match exactly. */
function reference(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const micros = Math.floor((ns % 1e6) / 1e3);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

describe('timestampNs', () => {
  it('formats microseconds like 2026-11-22T10:00:00.123456Z', () => {
    assert.equal(timestampNs(Date.UTC(2026, 10, 22, 10, 0, 0, 123) * 1e6 + 456_789), '2026-11-22T10:00:00.123456Z');
    assert.equal(timestampNs(1), '1970-01-01T00:00:00.000000Z');
  });

  it('matches Date-based formatting across seconds, days, years and cache slots', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 58) * 1e6;
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) values.push(base + i * 999_937_123); // crosses the new year
    for (let i = 0; i < 2000; i++) values.push(base + ((i * 1024) % 7919) * 1e9 + i); // same cache slot, other seconds
    for (let i = 1; i < 2000; i++) values.push(Math.floor((9.2e18 / 2000) * i)); // 1970..2261
    for (const v of [999, 1e6 - 1, 1e6, 1e9 - 1, 1e9, 9.2e18 - 4096]) values.push(v);
    for (const v of values) assert.equal(timestampNs(v), reference(v), String(v));
  });

  it('falls back to Date outside 1970..2262', () => {
    for (const v of [0, -1_000_000_000, 2.5e20]) assert.equal(timestampNs(v), reference(v));
  });
});

describe('json and text', () => {
  it('passes plain JSON through and escapes what COPY or jsonb cannot take', () => {
    assert.equal(json({ a: 'b', n: 1 }), '{"a":"b","n":1}');
    assert.equal(json({}), '{}');
    assert.equal(json(null), '\\N');
    assert.equal(json({ s: 'line\nbreak' }), '{"s":"line\\\\nbreak"}');
    assert.equal(json({ s: 'nul\u0000' }), '{"s":"nul"}');
    assert.equal(json({ s: '\ud800' }), '{"s":"\\\\ufffd"}');
    assert.equal(json({ s: 'back\\slash' }), '{"s":"back\\\\\\\\slash"}');
  });

  it('escapes tabs, newlines, backslashes and drops NUL in text', () => {
    assert.equal(text('a\tb\nc\rd\\e\0f'), 'a\\tb\\nc\\rd\\\\ef');
    assert.equal(text(null), '\\N');
    assert.equal(text('plain'), 'plain');
  });
});
