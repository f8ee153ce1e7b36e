// Where the demo finds its inputs: the example shop shipped beside Orrery's code, and the
// node_modules the shop's services resolve their OpenTelemetry packages from.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Orrery package root: two levels up from src/demo or dist/demo. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** examples/shop in the package, or ORRERY_DEMO_SHOP for a copy elsewhere. */
export function shopSourceDir(): string {
  return process.env.ORRERY_DEMO_SHOP ? resolve(process.env.ORRERY_DEMO_SHOP) : join(packageRoot(), 'examples', 'shop');
}

/**
 * The node_modules folder that holds the OpenTelemetry Node SDK: the shop's working trees
 * link to it, as a monorepo's packages share one install.
 */
export function sdkNodeModules(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@opentelemetry/sdk-node'));
  while (!existsSync(join(dir, '@opentelemetry', 'sdk-node'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the node_modules that holds @opentelemetry/sdk-node; run npm ci');
    dir = up;
  }
  return dir;
}

/** How to run Orrery's own CLI in a child process: the built dist, or src through tsx in tests. */
export function orreryCommand(): { execPath: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { execPath: process.execPath, args: ['--import', 'tsx', join(packageRoot(), 'src', 'cli', 'main.ts')] };
  }
  return { execPath: process.execPath, args: [join(packageRoot(), 'dist', 'cli', 'main.js')] };
}

/**
 * A module every process the demo starts preloads (`node --import <this>`): when the demo
 * process dies without stopping it (SIGKILL, a crash, a test runner's timeout), the child is
 * re-parented, and it then stops itself with SIGTERM, which flushes its telemetry.
 */
export const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  'const p = process.ppid; setInterval(() => { if (process.ppid !== p) process.kill(process.pid, "SIGTERM"); }, 1000).unref();',
)}`;
