// Doctor's checks of the store: the data directory (there, writable, its lock) or the
// PostgreSQL server (reachable), the schema's migrations, and the clocks — the database
// server's against this machine's, and the latest telemetry's own times against its arrival.
// `--fix` creates a missing data directory and applies pending migrations (what `orrery up`
// does at start), and nothing else.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../../config/index.js';
import type { DoctorCheck } from '../../model/index.js';
import {
  type StoreInspection,
  dataDirLockHolder,
  embeddedStoreExists,
  inspectStore,
  openStore,
  redactUrl,
} from '../../store/index.js';

/** The database server's clock may be this far from ours before time windows go wrong. */
const MAX_DB_SKEW_MS = 5_000;
/** Spans that arrive this long before they ended come from a clock ahead of ours (or ours is behind). */
const MAX_FUTURE_MS = 60_000;
/** Spans that arrive this long after they ended, at the median, point at a clock behind ours. */
const MAX_LAG_MS = 15 * 60_000;

export interface StoreCheckOptions {
  fix: boolean;
}

export async function checkStore(config: Config, opts: StoreCheckOptions): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  let fixed = false;
  if (config.databaseUrl) {
    out.push({
      check: 'data-dir',
      code: 'DATA_DIR_SKIPPED',
      status: 'skipped',
      found: 'ORRERY_DATABASE_URL is set: the store is on PostgreSQL',
      fix: null,
    });
  } else {
    const dir = dataDirCheck(config.dataDir, opts.fix);
    out.push(dir);
    if (dir.status !== 'ok') return [...out, ...notChecked('the data directory is not usable')];
    const holder = dataDirLockHolder(config.dataDir);
    if (holder !== null) {
      return [
        ...out,
        {
          check: 'schema',
          code: 'SCHEMA_HELD',
          status: 'ok',
          found: `the store is open in a running Orrery (pid ${holder}), which applies migrations at start`,
          fix: null,
        },
        ...notChecked(`the store is held by pid ${holder}`, 'skipped').filter((c) => c.check !== 'schema'),
      ];
    }
    if (!embeddedStoreExists(config.dataDir)) {
      if (!opts.fix) {
        return [
          ...out,
          {
            check: 'schema',
            code: 'STORE_NOT_CREATED',
            status: 'problem',
            found: `${resolve(config.dataDir)} holds no store yet`,
            fix: '`orrery doctor --fix` (or `orrery up`) creates it',
          },
          ...notChecked('there is no store yet', 'skipped').filter((c) => c.check !== 'schema'),
        ];
      }
      fixed = await migrateStore(config);
    }
  }
  let seen: StoreInspection;
  try {
    seen = await inspectStore({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    });
  } catch (err) {
    const message = (err as Error).message;
    if (config.databaseUrl) {
      out.push({
        check: 'database',
        code: 'DATABASE_UNREACHABLE',
        status: 'problem',
        found: message,
        fix: `check ORRERY_DATABASE_URL (${redactUrl(config.databaseUrl)}): the server, its address, the user and the database must exist`,
      });
    } else {
      out.push({
        check: 'database',
        code: 'STORE_UNREADABLE',
        status: 'problem',
        found: message,
        fix: 'move the data directory aside and start again, or restore it from a backup',
      });
    }
    return [...out, ...notChecked('the store could not be opened').filter((c) => c.check !== 'database')];
  }
  if (config.databaseUrl) {
    out.push({
      check: 'database',
      code: 'DATABASE_OK',
      status: 'ok',
      found: `PostgreSQL at ${seen.location} answers`,
      fix: null,
    });
  }
  if (seen.pending.length > 0 && opts.fix) {
    fixed = (await migrateStore(config)) || fixed;
    seen = await inspectStore({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    });
  }
  out.push(schemaCheck(seen, fixed));
  out.push(...clockChecks(seen));
  return out;
}

function dataDirCheck(dataDir: string, fix: boolean): DoctorCheck {
  const dir = resolve(dataDir);
  let fixed = false;
  if (!existsSync(dir)) {
    if (!fix) {
      return {
        check: 'data-dir',
        code: 'DATA_DIR_MISSING',
        status: 'problem',
        found: `${dir} does not exist`,
        fix: '`orrery doctor --fix` (or `orrery up`) creates it',
      };
    }
    try {
      mkdirSync(dir, { recursive: true });
      fixed = true;
    } catch (err) {
      return {
        check: 'data-dir',
        code: 'DATA_DIR_UNCREATABLE',
        status: 'problem',
        found: `${dir} could not be created: ${(err as Error).message}`,
        fix: 'create it yourself with write access for this user, or choose another with --data-dir / ORRERY_DATA_DIR',
      };
    }
  }
  if (!statSync(dir).isDirectory()) {
    return {
      check: 'data-dir',
      code: 'DATA_DIR_NOT_A_DIRECTORY',
      status: 'problem',
      found: `${dir} is not a directory`,
      fix: 'choose another path with --data-dir / ORRERY_DATA_DIR',
    };
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return {
      check: 'data-dir',
      code: 'DATA_DIR_UNWRITABLE',
      status: 'problem',
      found: `${dir} is not writable by this user`,
      fix: `give this user write access (\`chmod u+w ${dir}\` or chown it), or choose another with --data-dir / ORRERY_DATA_DIR`,
    };
  }
  const holder = dataDirLockHolder(dir);
  return {
    check: 'data-dir',
    code: 'DATA_DIR_OK',
    status: 'ok',
    found: `${dir} is writable${holder === null ? ', not in use' : `; in use by Orrery pid ${holder}`}${fixed ? ' (created)' : ''}`,
    fix: null,
    ...(fixed ? { fixed } : {}),
  };
}

/** Opens the store the way `orrery up` does, which applies pending migrations; true when it did. */
async function migrateStore(config: Config): Promise<boolean> {
  const store = await openStore({
    dataDir: config.dataDir,
    retentionDays: config.retention,
    poolSize: 1,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.auditKey ? { auditKey: config.auditKey } : {}),
  });
  await store.close();
  return true;
}

function schemaCheck(seen: StoreInspection, fixed: boolean): DoctorCheck {
  if (seen.pending.length === 0) {
    return {
      check: 'schema',
      code: 'SCHEMA_OK',
      status: 'ok',
      found: `schema version ${seen.schemaVersion}, every migration applied${fixed ? ' (migrated now)' : ''}`,
      fix: null,
      ...(fixed ? { fixed } : {}),
    };
  }
  return {
    check: 'schema',
    code: seen.schemaVersion === 0 ? 'SCHEMA_EMPTY' : 'SCHEMA_OLD',
    status: 'problem',
    found: `schema version ${seen.schemaVersion} of ${seen.latestVersion}; ${seen.pending.length} migration(s) not applied (${seen.pending.join(', ')})`,
    fix: '`orrery doctor --fix` applies them (so does `orrery up` at start)',
  };
}

function clockChecks(seen: StoreInspection): DoctorCheck[] {
  const skew = seen.serverTime.getTime() - seen.localTime.getTime();
  const db: DoctorCheck =
    seen.backend === 'pglite'
      ? {
          check: 'clock-database',
          code: 'CLOCK_DATABASE_SKIPPED',
          status: 'skipped',
          found: "the embedded store runs on this machine's clock",
          fix: null,
        }
      : Math.abs(skew) <= MAX_DB_SKEW_MS
        ? {
            check: 'clock-database',
            code: 'CLOCK_DATABASE_OK',
            status: 'ok',
            found: `the database server's clock is ${Math.round(skew)} ms from this machine's`,
            fix: null,
          }
        : {
            check: 'clock-database',
            code: 'CLOCK_DATABASE_SKEW',
            status: 'problem',
            found: `the database server's clock is ${(skew / 1000).toFixed(1)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's`,
            fix: 'synchronize both clocks with NTP (e.g. `timedatectl set-ntp true`, or chrony)',
          };
  let telemetry: DoctorCheck;
  if (seen.telemetryLagMs === null) {
    telemetry = {
      check: 'clock-telemetry',
      code: 'CLOCK_TELEMETRY_NO_DATA',
      status: 'skipped',
      found: 'no span received in the last hour to compare',
      fix: null,
    };
  } else if (seen.telemetryLagMs < -MAX_FUTURE_MS) {
    telemetry = {
      check: 'clock-telemetry',
      code: 'CLOCK_TELEMETRY_AHEAD',
      status: 'problem',
      found: `the latest ${seen.telemetrySamples} spans ended ${Math.round(-seen.telemetryLagMs / 1000)} s (median) after they arrived: their senders' clocks are ahead of this one, or this one is behind`,
      fix: "synchronize the senders' and this machine's clocks with NTP",
    };
  } else if (seen.telemetryLagMs > MAX_LAG_MS) {
    telemetry = {
      check: 'clock-telemetry',
      code: 'CLOCK_TELEMETRY_BEHIND',
      status: 'problem',
      found: `the latest ${seen.telemetrySamples} spans arrived ${Math.round(seen.telemetryLagMs / 60_000)} min (median) after they ended: their senders' clocks are behind, or they are replayed or delayed`,
      fix: "synchronize the senders' clocks with NTP; if the senders buffer, shorten their export interval",
    };
  } else {
    telemetry = {
      check: 'clock-telemetry',
      code: 'CLOCK_TELEMETRY_OK',
      status: 'ok',
      found: `the latest ${seen.telemetrySamples} spans arrived ${Math.round(seen.telemetryLagMs)} ms (median) after they ended`,
      fix: null,
    };
  }
  return [db, telemetry];
}

/** The store checks that could not run, each saying why. */
function notChecked(why: string, status: 'unchecked' | 'skipped' = 'unchecked'): DoctorCheck[] {
  return ['schema', 'clock-database', 'clock-telemetry'].map((check) => ({
    check,
    code: `${check.toUpperCase().replace(/-/g, '_')}_${status.toUpperCase()}`,
    status,
    found: `not checked: ${why}`,
    fix: null,
  }));
}
