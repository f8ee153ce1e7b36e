// Runs `orrery up` as a child process for a benchmark: free ports, a health-check wait,
// peak RSS from /proc, the warnings and errors it logged, and a SIGTERM-then-SIGKILL stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface ServerOptions {
  dataDir: string;
  /** PostgreSQL URL; absent for the embedded PGlite store. */
  databaseUrl?: string;
  /** Directory for the server's stdout/stderr logs. */
  logDir: string;
  startTimeoutMs?: number;
  /** Extra environment (ORRERY_* from the parent is not inherited). */
  env?: Record<string, string>;
  /** Extra arguments to `orrery up`. */
  args?: string[];
}

/** A message the server logged at warn level or above (or wrote to stderr). */
export interface ServerProblem {
  level: 'warn' | 'error' | 'fatal' | 'stderr';
  message: string;
  count: number;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when SIGTERM was not enough. */
  killed: boolean;
}

const STOP_GRACE_MS = 10_000;

/** A TCP port that was free a moment ago (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** The VmHWM (peak resident set size) of a process in KiB, or null where /proc has none. */
export function peakRssKib(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ServerProcess {
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;
  private peakKib: number | null = null;
  private readonly rssTimer: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    readonly apiUrl: string,
    readonly otlpUrl: string,
    /** host:port of the OTLP/gRPC receiver. */
    readonly otlpGrpcAddress: string,
    readonly stdoutLog: string,
    readonly stderrLog: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
    // VmHWM is kept by the kernel; sampling it too means a crashed server still reports one.
    this.rssTimer = setInterval(() => this.samplePeakRss(), 500);
    this.rssTimer.unref();
  }

  /**
   * Starts the server on three ports that were free a moment ago. Another process may take one
   * between the check and the server's listen (tests run in parallel); a start refused with
   * EADDRINUSE is tried again on new ports.
   */
  static async start(opts: ServerOptions): Promise<ServerProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ServerProcess.startOnce(opts);
      } catch (e) {
        if (attempt >= 4 || !/EADDRINUSE/.test((e as Error).message)) throw e;
      }
    }
  }

  private static async startOnce(opts: ServerOptions): Promise<ServerProcess> {
    const [port, otlpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORRERY_')) env[k] = v;
    env.ORRERY_LOG_LEVEL = 'warn';
    if (opts.databaseUrl) env.ORRERY_DATABASE_URL = opts.databaseUrl;
    Object.assign(env, opts.env);
    const stdoutLog = join(opts.logDir, 'server.stdout.log');
    const stderrLog = join(opts.logDir, 'server.stderr.log');
    const out = openSync(stdoutLog, 'w');
    const err = openSync(stderrLog, 'w');
    const args = [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'up',
      '--data-dir',
      opts.dataDir,
      '--port',
      String(port),
      '--otlp-port',
      String(otlpPort),
      '--otlp-grpc-port',
      String(grpcPort),
      ...(opts.args ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    const server = new ServerProcess(
      child,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${otlpPort}`,
      `127.0.0.1:${grpcPort}`,
      stdoutLog,
      stderrLog,
    );
    try {
      await server.waitHealthy(opts.startTimeoutMs ?? 120_000);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Null while running. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exitInfo;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(
          `the server exited during start (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}): ${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(`${this.apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`the server did not answer ${this.apiUrl}/healthz within ${timeoutMs / 1000}s: ${this.logTail()}`);
  }

  private samplePeakRss(): void {
    if (this.exitInfo || this.child.pid === undefined) return;
    const kib = peakRssKib(this.child.pid);
    if (kib !== null) this.peakKib = Math.max(this.peakKib ?? 0, kib);
  }

  /** Peak RSS (VmHWM) of the server process so far, in KiB. */
  peakRssKib(): number | null {
    this.samplePeakRss();
    return this.peakKib;
  }

  /** GET on the API port; throws on a non-2xx answer. */
  async getJson<T>(path: string): Promise<T> {
    const res = await fetch(`${this.apiUrl}${path}`, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  async stop(): Promise<ServerExit> {
    clearInterval(this.rssTimer);
    let killed = false;
    if (!this.exitInfo) {
      this.child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_GRACE_MS).unref());
      if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'timeout') {
        killed = true;
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    return { code: this.exitInfo?.code ?? null, signal: this.exitInfo?.signal ?? null, killed };
  }

  /** SIGKILL at once: no drain, no shutdown hooks (for durability tests). */
  async kill9(): Promise<void> {
    clearInterval(this.rssTimer);
    if (!this.exitInfo) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Warn-and-above log lines (pino JSON on stdout) and anything on stderr, grouped by message. */
  problems(): ServerProblem[] {
    const groups = new Map<string, ServerProblem>();
    const add = (level: ServerProblem['level'], message: string) => {
      const key = `${level}\u0000${message}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { level, message, count: 1 });
    };
    for (const line of readLines(this.stdoutLog)) {
      if (!line.startsWith('{')) continue;
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; type?: string } };
        const level = rec.level ?? 0;
        if (level < 40) continue;
        const err = rec.err ? `: ${rec.err.type ?? 'Error'}: ${rec.err.message ?? ''}` : '';
        add(level >= 60 ? 'fatal' : level >= 50 ? 'error' : 'warn', `${rec.msg ?? ''}${err}`.slice(0, 500));
      } catch {
        // a banner line that happens to start with "{"
      }
    }
    for (const line of readLines(this.stderrLog)) if (line.trim()) add('stderr', line.slice(0, 500));
    return [...groups.values()];
  }

  private logTail(): string {
    const lines = [...readLines(this.stderrLog), ...readLines(this.stdoutLog)].filter((l) => l.trim());
    return lines.slice(-15).join('\n') || '(no output)';
  }
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}
