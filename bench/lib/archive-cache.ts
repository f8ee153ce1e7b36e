// Extracts a dataset archive (.tar.xz) once into the bench cache ($ORRERY_BENCH_CACHE or
// ~/.cache/orrery-bench/<name>): into a temporary folder first, renamed when tar has
// finished, so an interrupted extraction is never mistaken for a complete one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { basename, join } from 'node:path';

export function benchCacheDir(name: string): string {
  return process.env.ORRERY_BENCH_CACHE
    ? join(process.env.ORRERY_BENCH_CACHE, name)
    : join(os.homedir(), '.cache', 'orrery-bench', name);
}

/**
 * The folder the archive was extracted into (`<cache>/<archive name>-<size>`), extracting
 * it first when that folder does not exist yet. `marker` is a path inside the archive
 * whose presence means the extraction is complete.
 */
export async function extractOnce(
  archive: string,
  cacheName: string,
  marker: string,
  log: (s: string) => void,
): Promise<string> {
  const st = statSync(archive);
  const dir = join(benchCacheDir(cacheName), `${basename(archive).replace(/\.tar\.xz$/, '')}-${st.size}`);
  if (existsSync(join(dir, marker))) return dir;
  if (spawnSync('xz', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('xz is not installed, and tar needs it to read the .tar.xz archive: apt-get install xz-utils');
  }
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`extracting ${archive} into ${dir} (once)…\n`);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-xJf', archive, '-C', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    tar.on('error', reject);
    tar.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`tar -xJf ${archive} failed (${code}): ${stderr.trim()}`));
    });
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`extracted in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return dir;
}
