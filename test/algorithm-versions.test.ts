// The algorithm version contract: each registered algorithm runs on fixed fixtures and its
// outputs are compared with the snapshot stored under its id (test/fixtures/versions/). An
// output that changes while the id stays the same fails; a new id needs a changelog entry in
// src/analysis/versions.ts and UPDATE_FIXTURES=1. Then the registry's own rules.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RCA_ALGORITHM } from '../src/analysis/index.js';
import { ALGORITHMS, FORMATS, algorithmEntry } from '../src/analysis/versions.js';
import { RUNNERS } from './helpers/version-runners.js';
import {
  UPDATE,
  VersionSnapshotError,
  checkSnapshot,
  normalize,
  readSnapshot,
  writeSnapshot,
} from './helpers/version-snapshot.js';

/** Algorithms whose own tests are snapshot tests already (see RUNNERS). */
const OWN_SNAPSHOTS = new Set(['redact', 'code-extract']);
const TODAY = new Date().toISOString().slice(0, 10);

describe('algorithm outputs under their ids', () => {
  for (const entry of ALGORITHMS) {
    if (OWN_SNAPSHOTS.has(entry.name)) continue;
    it(`${entry.name} (${entry.current})`, () => {
      const run = RUNNERS[entry.name];
      assert.ok(run, `no runner for ${entry.name} in test/helpers/version-runners.ts`);
      const outputs = normalize(run()) as Record<string, unknown>;
      const snap = readSnapshot(entry.name);
      const verdict = checkSnapshot(entry.name, entry.current, outputs, snap, { update: UPDATE });
      if (!verdict.write) return;
      if (snap && snap.id !== entry.current) {
        const v = entry.history.find((h) => h.id === entry.current);
        assert.ok(v, `${entry.current} has no changelog entry in src/analysis/versions.ts`);
        assert.ok(v.date <= TODAY, `${entry.current}'s date ${v.date} is in the future`);
        assert.ok(
          verdict.changed.length > 0 || v.catchUp,
          `${entry.current} changes no fixture's output: add a fixture that shows the change (or mark a catch-up bump)`,
        );
      }
      writeSnapshot({ name: entry.name, id: entry.current, outputs });
    });
  }

  it('fails when an output changes while the id stays the same', () => {
    const snap = readSnapshot('rca');
    assert.ok(snap, 'the rca snapshot exists');
    const outputs = structuredClone(snap.outputs) as Record<string, { services: Array<{ score: number }> }>;
    const fixture = Object.keys(outputs).find((k) => (outputs[k]?.services.length ?? 0) > 0)!;
    outputs[fixture]!.services[0]!.score *= 1.01;
    const same = { ...snap, id: RCA_ALGORITHM };
    assert.throws(
      () => checkSnapshot('rca', RCA_ALGORITHM, outputs, same, { update: true }),
      (e: unknown) =>
        e instanceof VersionSnapshotError &&
        new RegExp(`rca output changed on fixture ${fixture} while its id stayed ${RCA_ALGORITHM}: bump the id`).test(
          e.message,
        ) &&
        /UPDATE_FIXTURES=1/.test(e.message) &&
        /services\[0\]\.score/.test(e.message),
    );
    // A new id is not checked against the old outputs, but must be recorded on purpose.
    assert.throws(
      () => checkSnapshot('rca', 'rca@99', outputs, same),
      /rca is now rca@99 but its snapshot was made by rca@\d+: run with UPDATE_FIXTURES=1/,
    );
    assert.deepEqual(checkSnapshot('rca', 'rca@99', outputs, same, { update: true }), {
      write: true,
      changed: [fixture],
    });
    assert.deepEqual(checkSnapshot('rca', same.id, same.outputs, same), { write: false });
  });

  it('rounds floats to 6 significant digits and keeps integers exact', () => {
    assert.deepEqual(normalize({ a: 0.1 + 0.2, b: 1767607200000, c: [Number.POSITIVE_INFINITY, -0], d: undefined }), {
      a: 0.3,
      b: 1767607200000,
      c: ['Infinity', 0],
    });
  });
});

describe('the registry', () => {
  it('has well-formed ids, the current one last, versions counting up by one, ISO dates in order', () => {
    for (const a of ALGORITHMS) {
      assert.match(a.current, /^[a-z-]+@\d+$/);
      assert.equal(a.current.split('@')[0], a.name);
      assert.equal(a.history.at(-1)?.id, a.current, `${a.name}: the last history entry is the current id`);
      a.history.forEach((h, i) => {
        assert.equal(h.id, `${a.name}@${i + 1}`);
        assert.match(h.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(h.date <= TODAY, `${h.id}: date in the future`);
        if (i > 0) assert.ok(h.date >= a.history[i - 1]!.date, `${h.id}: dates ascending`);
        assert.ok(h.changed.length > 10 && h.commits.length > 0, `${h.id} says what changed, in which commits`);
      });
    }
    assert.equal(new Set(ALGORITHMS.map((a) => a.name)).size, ALGORITHMS.length);
    for (const f of FORMATS) assert.match(f, /^[a-z-]+@\d+$/);
  });

  it("names each benched algorithm's datasets in every version's effect", () => {
    const expected: Record<string, string[]> = {
      rca: ['nezha'],
      investigate: ['nezha', 'example'],
      'localize-text': ['bugloc'],
      'similar-tickets': ['dupes'],
      patterns: ['loghub'],
    };
    for (const [name, datasets] of Object.entries(expected)) {
      const a = algorithmEntry(name)!;
      assert.deepEqual([...a.benched].sort(), [...datasets].sort(), name);
      for (const h of a.history)
        for (const d of datasets) assert.ok(h.effect[d as keyof typeof h.effect], `${h.id} states its effect on ${d}`);
    }
  });
  it('has one definition per id: no code line in src spells a current id but its constant', () => {
    // Comments may name ids (they describe); code must use the constant, so a bump reaches
    // every hint, help text and type. The registry's changelog is the one exception.
    const ids = [...ALGORITHMS.map((a) => a.current), ...FORMATS];
    const spelled = new RegExp(`(?<![\\w@-])(${ids.map((id) => id.replace(/[-@]/g, '\\$&')).join('|')})(?![\\w])`);
    const defining = /^export const [A-Z_]+ = '[a-z-]+@\d+';$/;
    const registry = new URL('../src/analysis/versions.ts', import.meta.url).pathname;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name) && p !== registry)
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (defining.test(line) || /^\s*(\/\/|\*|\/\*)/.test(line)) return;
              const m = spelled.exec(line.replace(/\/\/.*$/, ''));
              if (m) found.push(`${p}:${i + 1} ${m[1]}`);
            });
      }
    };
    walk(new URL('../src', import.meta.url).pathname);
    assert.deepEqual(found, []);
  });
});
