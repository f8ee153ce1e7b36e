#!/usr/bin/env node
// Builds the example shop's git repository by hand, with the same builder `orrery demo`
// uses (src/demo/repo-builder.ts, compiled to dist/ by npm ci):
//
//   node examples/shop/build-repo.mjs /tmp/shop            # dates end now
//   node examples/shop/build-repo.mjs /tmp/shop --no-link  # without the node_modules link
//
// The built repository gets a node_modules symlink to Orrery's node_modules (the
// OpenTelemetry SDK), so `node --import ./lib/telemetry.js services/web/src/server.js`
// runs there as is.
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const builder = join(root, 'dist', 'demo', 'repo-builder.js');
const [out, ...flags] = process.argv.slice(2);
if (!out || flags.some((f) => f !== '--no-link')) {
  console.error('usage: node examples/shop/build-repo.mjs <out-dir> [--no-link]');
  process.exit(2);
}
if (!existsSync(builder)) {
  console.error(`${builder} is missing: run npm ci (or npm run build) first`);
  process.exit(1);
}
const { buildShopRepo } = await import(pathToFileURL(builder).href);
const repo = await buildShopRepo(join(here, 'history'), resolve(out), { now: new Date() });
if (!flags.includes('--no-link')) symlinkSync(join(root, 'node_modules'), join(repo.dir, 'node_modules'), 'dir');
console.log(`built ${repo.dir}: ${repo.commits.length} commits, ${repo.tags.size} tags`);
