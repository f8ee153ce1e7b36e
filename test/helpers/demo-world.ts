// The short demo world the end-to-end tests share: every scenario on one timeline, 45 s of
// traffic, seed 7, a small population, on free ports (about three and a half minutes).
import { join } from 'node:path';
import { freePort } from '../../bench/lib/server-process.js';
import { type DemoWorld, SCENARIO_NAMES, memoryOutput, runDemo } from '../../src/demo/index.js';

export async function shortDemoWorld(dir: string): Promise<DemoWorld> {
  return runDemo({
    scenarios: [...SCENARIO_NAMES],
    durationS: 45,
    seed: 7,
    dir: join(dir, 'demo'),
    port: await freePort(),
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    users: 150,
    accounts: 40,
    baseRps: 15,
    out: memoryOutput(),
  });
}
