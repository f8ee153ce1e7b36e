// The demo's inputs fail clearly: a broken commit.json or scenarios.json names the file and
// the field; unknown scenarios and durations list what is accepted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  HistoryError,
  ScenarioError,
  parseDuration,
  parseScenariosFile,
  planDemo,
  readHistory,
  selectScenarios,
  shopSourceDir,
} from '../src/demo/index.js';
import { readFileSync } from 'node:fs';

function history(commits: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-history-'));
  for (const [id, c] of Object.entries(commits)) {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'commit.json'), typeof c === 'string' ? c : JSON.stringify(c));
  }
  return dir;
}

describe('demo inputs', () => {
  it('reads the shipped history and scenarios', () => {
    const commits = readHistory(join(shopSourceDir(), 'history'));
    assert.ok(commits.length > 20);
    assert.equal(commits.filter((c) => c.culprit).length, 3);
    parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
  });

  it('plans all scenarios on one timeline, and one alone with its fault two minutes before the end, held', () => {
    const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
    const all = planDemo(file, selectScenarios('all'), 150);
    const starts = new Map<string, number>();
    for (const e of [...all.deploys, ...all.traffic, ...all.faults])
      if (e.scenario && !starts.has(e.scenario)) starts.set(e.scenario, e.at);
    assert.equal(starts.size, 6);
    const sorted = [...starts.values()].sort((a, b) => a - b);
    // Onsets at least 10 s apart in the 150 s of npm start.
    for (let i = 1; i < sorted.length; i++) assert.ok((sorted[i]! - sorted[i - 1]!) * 150 >= 10, `${sorted}`);
    assert.equal(all.rootCauses.capacity, 'catalog');

    const solo = planDemo(file, ['capacity'], 240);
    assert.deepEqual(
      solo.traffic.map((t) => [t.at, t.multiplier]),
      [[0.5, 3]],
      'the surge starts 2 min before the end and is not lifted',
    );
    const cpu = planDemo(file, ['cpu-saturation'], 240);
    assert.deepEqual(
      cpu.faults.map((f) => [f.at, f.service, f.kind, f.ms]),
      [[0.5, 'payments', 'cpu', 150]],
    );
    assert.deepEqual(
      planDemo(file, ['cart-badge'], 240)
        .deploys.filter((d) => d.scenario)
        .map((d) => [d.at, d.tag]),
      [[0.5, 'cart/v1.4.0']],
    );
    assert.ok(
      planDemo(file, ['cart-badge'], 240).deploys.some((d) => d.scenario === null),
      'noise deploys stay',
    );
  });

  it('names the file and field of a broken commit', () => {
    const ok = { author: 'A <a@x.example>', message: 'm', hoursAgo: 2 };
    for (const [commits, reason] of [
      [{ '01-a': '{not json' }, /01-a\/commit\.json: .*JSON/],
      [{ '01-a': { ...ok, author: 'nobody' } }, /01-a\/commit\.json: author must look like "Name <email>"/],
      [{ '01-a': { ...ok, tags: ['v1'] } }, /tags\.0 must look like <service>\/v1\.2\.3/],
      [{ '01-a': ok, '02-b': { ...ok, hoursAgo: 5 } }, /02-b: hoursAgo 5 is earlier than the commit before it/],
      [
        { '01-a': { ...ok, tags: ['cart/v1.0.0'] }, '02-b': { ...ok, hoursAgo: 1, tags: ['cart/v1.0.0'] } },
        /tag cart\/v1\.0\.0 is used twice/,
      ],
      [{}, /holds no commit directories/],
    ] as const) {
      const dir = history(commits as Record<string, unknown>);
      try {
        assert.throws(
          () => readHistory(dir),
          (e: Error) => e instanceof HistoryError && reason.test(e.message),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('names the field of a broken scenarios.json, and lists accepted scenarios and durations', () => {
    assert.throws(
      () => parseScenariosFile('{'),
      (e: Error) => e instanceof ScenarioError && /^scenarios\.json: /.test(e.message),
    );
    assert.throws(
      () => parseScenariosFile(JSON.stringify({ services: {}, scenarios: {} })),
      (e: Error) => e instanceof ScenarioError && /^scenarios\.json: services\.web: /.test(e.message),
    );
    assert.throws(() => selectScenarios('meltdown'), /choose one of: all, cart-badge/);
    assert.deepEqual(selectScenarios('capacity'), ['capacity']);
    assert.equal(parseDuration('short'), 45);
    assert.equal(parseDuration('3m'), 180);
    assert.throws(() => parseDuration('soon'), /short, normal, or a time like 90s/);
  });
});
