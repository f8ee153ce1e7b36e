import { createRequire } from 'node:module';

let cached: string | undefined;

/** The package version, read from package.json (two levels up from src/cli or dist/cli). */
export function version(): string {
  cached ??= (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  return cached;
}
