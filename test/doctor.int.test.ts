// `orrery doctor`: each check made to fail on purpose gives its code and its fix, with exit 1;
// `--fix` creates the data directory and applies migrations, and a second `--fix` changes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { DoctorCheck, DoctorReport } from '../src/model/index.js';
import { renderDoctor, runDoctor } from '../src/cli/doctor/index.js';
import { type ConfigInput, loadConfig } from '../src/config/index.js';
import { MIGRATIONS } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { openPostgres } from '../src/store/postgres-db.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir, freshPostgresUrl } from './helpers/stores.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Ports 0: the machine's real 8470/4318/4317 may be in use by others; each port test names its own. */
const ANY_PORTS = ['--port', '0', '--otlp-port', '0', '--otlp-grpc-port', '0'];

interface Run {
  code: number | null;
  report: DoctorReport;
  stderr: string;
}

/** `orrery doctor --json` as a child process. */
async function doctorCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await runCli(['doctor', '--json', ...args], env, 120_000);
  return { code: r.code, report: JSON.parse(r.stdout) as DoctorReport, stderr: r.stderr };
}

/** The same checks in this process (the CLI's exit code is its report's exitCode). */
async function doctor(
  settings: Partial<Record<keyof ConfigInput, unknown>>,
  opts: { fix?: boolean } = {},
): Promise<Run> {
  const config = loadConfig({}, { port: 0, otlpPort: 0, otlpGrpcPort: 0, ...settings });
  const report = await runDoctor(config, { fix: opts.fix ?? false });
  return { code: report.exitCode, report, stderr: '' };
}

function check(run: Run, name: string): DoctorCheck {
  const c = run.report.checks.find((x) => x.check === name);
  assert.ok(c, `no ${name} check in ${JSON.stringify(run.report.checks.map((x) => x.check))}`);
  return c;
}

describe('orrery doctor', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a port another program holds: PORT_API_TAKEN with the flag that moves it; exit 1', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = (holder.address() as net.AddressInfo).port;
    const dir = await freshDataDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const run = await doctorCli(['--data-dir', dir, '--fix', ...ANY_PORTS, '--port', String(port)]);
    const c = check(run, 'port-api');
    assert.equal(c.code, 'PORT_API_TAKEN');
    assert.equal(c.status, 'problem');
    assert.match(c.found, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(c.fix ?? '', /--port/);
    assert.equal(run.code, 1, run.stderr);
  });

  it('ports a running Orrery holds are ours, not a problem (PORT_*_OURS)', async () => {
    const dir = await freshDataDir();
    const server = await ServerProcess.start({ dataDir: dir, logDir: dir });
    cleanups.push(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const run = await doctor({
      dataDir: dir,
      port: new URL(server.apiUrl).port,
      otlpPort: new URL(server.otlpUrl).port,
      otlpGrpcPort: server.otlpGrpcAddress.split(':')[1]!,
    });
    assert.equal(check(run, 'port-api').code, 'PORT_API_OURS');
    assert.equal(check(run, 'port-otlp-http').code, 'PORT_OTLP_HTTP_OURS');
    assert.equal(check(run, 'port-otlp-grpc').code, 'PORT_OTLP_GRPC_OURS');
    assert.equal(check(run, 'schema').code, 'SCHEMA_HELD');
    assert.match(check(run, 'data-dir').found, new RegExp(`in use by Orrery pid ${server.pid}`));
  });

  it('a data directory this user cannot write: DATA_DIR_UNWRITABLE with the fix; exit 1', async () => {
    const parent = await freshDataDir();
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    chmodSync(parent, 0o755);
    // root may write anywhere: run doctor as nobody then, for whom the directory is read-only.
    const asRoot = process.getuid?.() === 0;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const argv = ['--import', 'tsx', 'src/cli/main.ts', 'doctor', '--json', '--data-dir', dir, ...ANY_PORTS];
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORRERY_')) env[k] = v;
      const child = asRoot
        ? spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...argv], {
            cwd: ROOT,
            env: { ...env, HOME: '/tmp' },
          })
        : spawn(process.execPath, argv, { cwd: ROOT, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const run: Run = { code: r.code, report: JSON.parse(r.stdout) as DoctorReport, stderr: r.stderr };
    const c = check(run, 'data-dir');
    assert.equal(c.code, 'DATA_DIR_UNWRITABLE');
    assert.match(c.fix ?? '', /write access|--data-dir/);
    assert.equal(check(run, 'schema').status, 'unchecked');
    assert.equal(run.code, 1, run.stderr);
  });

  it('a database URL nothing answers at: DATABASE_UNREACHABLE naming the setting; exit 1', async () => {
    const run = await doctor({ databaseUrl: 'postgres://nobody@127.0.0.1:1/nowhere' });
    const c = check(run, 'database');
    assert.equal(c.code, 'DATABASE_UNREACHABLE');
    assert.match(c.fix ?? '', /ORRERY_DATABASE_URL/);
    assert.equal(check(run, 'data-dir').status, 'skipped');
    assert.equal(check(run, 'schema').status, 'unchecked');
    assert.equal(run.code, 1);
  });

  it('an old schema: SCHEMA_OLD; --fix migrates it (SCHEMA_OK, fixed); a second --fix changes nothing', async () => {
    const pg = await freshPostgresUrl();
    cleanups.push(() => pg.cleanup());
    const db = await openPostgres(pg.url, { poolSize: 1 });
    await migrate(db, MIGRATIONS.slice(0, -2));
    await db.close();
    const dir = await freshDataDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const settings = { dataDir: dir, databaseUrl: pg.url };
    const old = await doctor(settings);
    const s = check(old, 'schema');
    assert.equal(s.code, 'SCHEMA_OLD');
    assert.match(s.found, new RegExp(`${MIGRATIONS.length - 2} of ${MIGRATIONS.length}`));
    assert.match(s.fix ?? '', /doctor --fix/);
    assert.equal(old.code, 1);
    assert.equal(check(old, 'database').code, 'DATABASE_OK');
    assert.equal(check(old, 'clock-database').code, 'CLOCK_DATABASE_OK');

    const first = await doctor(settings, { fix: true });
    assert.equal(check(first, 'schema').code, 'SCHEMA_OK');
    assert.equal(check(first, 'schema').fixed, true);
    assert.equal(first.code, 0, JSON.stringify(first.report.checks.filter((c) => c.status !== 'ok')));
    const second = await doctor(settings, { fix: true });
    assert.equal(second.code, 0);
    assert.deepEqual(
      second.report.checks.filter((c) => c.fixed),
      [],
    );
    assert.deepEqual(
      second.report.checks.map((c) => c.code),
      first.report.checks.map((c) => c.code),
    );
  });

  it('a data directory that does not exist: DATA_DIR_MISSING; --fix creates it and the store, idempotently', async () => {
    const parent = await freshDataDir();
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, 'new', 'store');
    const missing = await doctor({ dataDir: dir });
    assert.equal(check(missing, 'data-dir').code, 'DATA_DIR_MISSING');
    assert.match(check(missing, 'data-dir').fix ?? '', /doctor --fix/);
    assert.equal(missing.code, 1);
    const first = await doctor({ dataDir: dir }, { fix: true });
    assert.equal(check(first, 'data-dir').code, 'DATA_DIR_OK');
    assert.equal(check(first, 'data-dir').fixed, true);
    assert.equal(check(first, 'schema').code, 'SCHEMA_OK');
    assert.equal(check(first, 'schema').fixed, true);
    assert.equal(first.code, 0, JSON.stringify(first.report.checks.filter((c) => c.status !== 'ok')));
    const second = await doctor({ dataDir: dir }, { fix: true });
    assert.equal(second.code, 0);
    assert.deepEqual(
      second.report.checks.filter((c) => c.fixed),
      [],
    );
    assert.match(renderDoctor(second.report), /SCHEMA_OK: schema version \d+, every migration applied/);
    assert.equal(renderDoctor(second.report, { onlyFailures: true }), '', 'npm start would print nothing');
  });
});
