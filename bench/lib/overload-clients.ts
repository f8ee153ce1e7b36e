// The overload bench's clients and probes: a node:http POST that reports status and
// Retry-After (or a timeout), and a sampler of a process's resident memory from /proc.
import { readFileSync } from 'node:fs';
import http from 'node:http';

export function rssKib(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 250 ms until stopped. */
export function rssSampler(pid: number) {
  const samples: Array<{ t: number; kib: number }> = [];
  const t0 = Date.now();
  const timer = setInterval(() => {
    const kib = rssKib(pid);
    if (kib !== null) samples.push({ t: (Date.now() - t0) / 1000, kib });
  }, 250);
  return {
    samples,
    stop: () => clearInterval(timer),
    max: (from = 0, to = Infinity) => Math.max(0, ...samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.kib)),
  };
}

export interface ClientTally {
  records: number;
  status: Record<string, number>;
}

export interface Answer {
  status: string;
  /** Seconds, from a 429/503's Retry-After. */
  retryAfter: number | null;
}

/** One keep-alive agent for every client: node:http, lighter than fetch with 200 requests in flight. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export function post(
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const u = new URL(url);
    let done = false;
    const finish = (a: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(a);
    };
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== 200 && process.env.OVERLOAD_DEBUG) {
            process.stderr.write(`${status} ${Buffer.concat(chunks).toString('latin1').slice(0, 160)}\n`);
          }
          const retry = Number(res.headers['retry-after']);
          finish({ status: String(status), retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null });
        });
        res.on('error', () => finish({ status: 'error', retryAfter: null }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: 'timeout', retryAfter: null });
      req.destroy();
    }, timeoutMs);
    req.on('error', () => finish({ status: 'error', retryAfter: null }));
    req.end(body);
  });
}
