// An exclusive lock on a data directory: a lockfile holding the owner's pid. A second
// Orrery on the same directory gets a clear error; a lock left by a dead process is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {}

/** Directories this process holds, so that a lockfile with our own pid can be told apart
 * from a stale one left by an earlier process that had the same pid (pid 1 in containers). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDirLock(dir: string): { release(): void } {
  const path = join(dir, 'orrery.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      held.add(path);
      return {
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      const live = pid === process.pid ? held.has(path) : Number.isFinite(pid) && alive(pid);
      if (live) {
        throw new DataDirLockedError(
          `the data directory ${dir} is in use by another Orrery process (pid ${pid}); stop it, or use another --data-dir`,
        );
      }
      unlinkSync(path); // stale: its owner is gone
    }
  }
  throw new DataDirLockedError(`could not lock the data directory ${dir}`);
}
