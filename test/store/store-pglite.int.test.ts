// The store conformance suite on embedded PGlite, plus what only the embedded store has.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { it } from 'node:test';
import { DataDirLockedError, openStore } from '../../src/store/index.js';
import { freshDataDir, freshPglite } from '../helpers/stores.js';
import { storeConformance } from './conformance.js';

storeConformance('pglite', () => freshPglite());

it('pglite: a second Orrery on the same data directory gets a clear error', async () => {
  const dataDir = await freshDataDir();
  const first = await openStore({ dataDir, retentionDays: 7 });
  try {
    await assert.rejects(openStore({ dataDir, retentionDays: 7 }), (err: Error) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, /in use by another Orrery process \(pid \d+\)/);
      return true;
    });
  } finally {
    await first.close();
  }
  // Once the first one is closed, the directory opens again.
  const again = await openStore({ dataDir, retentionDays: 7 });
  await again.close();
  rmSync(dataDir, { recursive: true, force: true });
});
