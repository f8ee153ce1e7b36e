// The dependency rule in CI really fails when analysis/ imports I/O code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const depcruise = (cwd: string) =>
  spawnSync(
    process.execPath,
    [
      `${ROOT}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`,
      'src',
      '--config',
      `${ROOT}.dependency-cruiser.cjs`,
    ],
    {
      cwd,
      encoding: 'utf8',
    },
  );

it('flags analysis/ importing node:fs and the store', () => {
  const r = depcruise(`${ROOT}test/fixtures/dependency-rule`);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /pure-no-io-modules/);
  assert.match(r.stdout, /pure-no-io-layers/);
});

it('passes on the project itself', () => {
  const r = depcruise(ROOT);
  assert.equal(r.status, 0, r.stdout);
});
