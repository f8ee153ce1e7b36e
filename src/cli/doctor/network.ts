// Doctor's checks of what Orrery listens on and talks to: its three ports (free, or held by an
// Orrery), the optional LLM endpoint (reachable, the model listed) and the webhook secrets of
// a server bound beyond loopback.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { type Config, isLoopback } from '../../config/index.js';
import type { DoctorCheck } from '../../model/index.js';

export interface PortSpec {
  check: 'port-api' | 'port-otlp-http' | 'port-otlp-grpc';
  what: string;
  host: string;
  port: number;
  /** The flag and variable that move it. */
  setting: string;
}

export function portsOf(config: Config): PortSpec[] {
  const ports: PortSpec[] = [
    {
      check: 'port-api',
      what: 'the API and web UI',
      host: config.host,
      port: config.port,
      setting: '--port / ORRERY_PORT',
    },
    {
      check: 'port-otlp-http',
      what: 'OTLP/HTTP',
      host: config.otlpHost,
      port: config.otlpPort,
      setting: '--otlp-port / ORRERY_OTLP_PORT',
    },
  ];
  if (config.otlpGrpcPort !== null) {
    ports.push({
      check: 'port-otlp-grpc',
      what: 'OTLP/gRPC',
      host: config.otlpHost,
      port: config.otlpGrpcPort,
      setting: '--otlp-grpc-port / ORRERY_OTLP_GRPC_PORT (or "off")',
    });
  }
  return ports;
}

/** Free: we could listen on it. Taken: by whom, and whether that is an Orrery. */
export async function checkPort(spec: PortSpec, ownPids: ReadonlySet<number> = new Set()): Promise<DoctorCheck> {
  const code = spec.check.toUpperCase().replace(/-/g, '_');
  const where = `${spec.host}:${spec.port} (${spec.what})`;
  if (spec.port === 0)
    return { check: spec.check, code: `${code}_OK`, status: 'ok', found: `${spec.what}: any free port`, fix: null };
  const err = await tryListen(spec.host, spec.port);
  if (err === null)
    return { check: spec.check, code: `${code}_OK`, status: 'ok', found: `${where} is free`, fix: null };
  if (err.code !== 'EADDRINUSE') {
    return {
      check: spec.check,
      code: `${code}_UNAVAILABLE`,
      status: 'problem',
      found: `cannot listen on ${where}: ${err.code ?? err.message}`,
      fix:
        err.code === 'EACCES'
          ? `choose a port above 1023 with ${spec.setting}`
          : `choose another host or port (${spec.setting}, --host)`,
    };
  }
  const owner = listenerPid(spec.port);
  if (owner !== null && (ownPids.has(owner.pid) || isOrrery(owner.cmdline))) {
    return {
      check: spec.check,
      code: `${code}_OURS`,
      status: 'ok',
      found: `${where} is held by Orrery (pid ${owner.pid})`,
      fix: null,
    };
  }
  return {
    check: spec.check,
    code: `${code}_TAKEN`,
    status: 'problem',
    found: `${where} is taken by ${owner ? `pid ${owner.pid} (${owner.cmdline.slice(0, 120)})` : 'another process'}`,
    fix: `stop that process, or choose another port with ${spec.setting}`,
  };
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((done) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => done(err));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => done(null)));
  });
}

/** The command line of Orrery's own CLI (built or from source) running a server. */
function isOrrery(cmdline: string): boolean {
  return /(?:^|[\s/])(?:dist\/cli\/main\.js|src\/cli\/main\.ts|orrery)\s+(?:up|demo)\b/.test(cmdline);
}

/**
 * Which process listens on a TCP port, from /proc (Linux): the socket's inode in /proc/net/tcp*,
 * then the process whose descriptors include it. Null elsewhere, or for another user's process.
 */
function listenerPid(port: number): { pid: number; cmdline: string } | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      if (Number.parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) {
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {
          // gone meanwhile
        }
        return { pid: Number(pid), cmdline };
      }
    }
  }
  return null;
}

/** GET <llmUrl>/models (OpenAI-compatible): reachable, the key accepted, the model listed. */
export async function checkLlm(config: Config): Promise<DoctorCheck> {
  if (!config.llmUrl) {
    return {
      check: 'llm',
      code: 'LLM_SKIPPED',
      status: 'skipped',
      found: 'no LLM endpoint set (ORRERY_LLM_URL): narratives are off',
      fix: null,
    };
  }
  const url = `${config.llmUrl.replace(/\/+$/, '')}/models`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: config.llmApiKey ? { authorization: `Bearer ${config.llmApiKey}` } : {},
      signal: AbortSignal.timeout(Math.min(config.llmTimeoutMs, 10_000)),
    });
  } catch (err) {
    return {
      check: 'llm',
      code: 'LLM_UNREACHABLE',
      status: 'problem',
      found: `${url} did not answer: ${(err as Error).message}`,
      fix: 'start the model server, or correct ORRERY_LLM_URL (the API base, e.g. http://127.0.0.1:11434/v1)',
    };
  }
  if (res.status === 401 || res.status === 403) {
    return {
      check: 'llm',
      code: 'LLM_AUTH',
      status: 'problem',
      found: `${url} answered ${res.status}`,
      fix: 'set a valid ORRERY_LLM_API_KEY',
    };
  }
  if (!res.ok) {
    return {
      check: 'llm',
      code: 'LLM_UNREACHABLE',
      status: 'problem',
      found: `${url} answered ${res.status}`,
      fix: 'correct ORRERY_LLM_URL: it must be an OpenAI-compatible API base that serves /models',
    };
  }
  let ids: string[] = [];
  try {
    const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
    ids = (body.data ?? []).map((m) => String(m.id ?? ''));
  } catch {
    return { check: 'llm', code: 'LLM_UNCHECKED', status: 'unchecked', found: `${url} did not answer JSON`, fix: null };
  }
  return ids.includes(config.llmModel)
    ? { check: 'llm', code: 'LLM_OK', status: 'ok', found: `${config.llmUrl} serves ${config.llmModel}`, fix: null }
    : {
        check: 'llm',
        code: 'LLM_MODEL_MISSING',
        status: 'problem',
        found: `${config.llmUrl} does not list the model "${config.llmModel}" (it lists ${ids.slice(0, 5).join(', ') || 'none'})`,
        fix: 'set ORRERY_LLM_MODEL to a listed model, or pull the model on the server (e.g. `ollama pull NAME`)',
      };
}

const WEBHOOK_SECRETS: Array<[keyof Config, string]> = [
  ['githubWebhookSecret', 'ORRERY_GITHUB_WEBHOOK_SECRET'],
  ['jiraWebhookSecret', 'ORRERY_JIRA_WEBHOOK_SECRET'],
  ['zendeskWebhookSecret', 'ORRERY_ZENDESK_WEBHOOK_SECRET'],
  ['linearWebhookSecret', 'ORRERY_LINEAR_WEBHOOK_SECRET'],
];
/** A shared secret shorter than this can be guessed offline from one signed delivery. */
const MIN_SECRET_CHARS = 16;

/** Beyond loopback, a webhook's secret is what stands between the internet and the ticket store. */
export function checkWebhookSecrets(config: Config): DoctorCheck {
  if (isLoopback(config.host)) {
    return {
      check: 'webhook-secrets',
      code: 'WEBHOOK_SECRETS_SKIPPED',
      status: 'skipped',
      found: 'the API is bound to loopback',
      fix: null,
    };
  }
  const set = WEBHOOK_SECRETS.filter(([k]) => config[k] !== undefined);
  const weak = set.filter(([k]) => String(config[k]).length < MIN_SECRET_CHARS).map(([, env]) => env);
  if (weak.length > 0) {
    return {
      check: 'webhook-secrets',
      code: 'WEBHOOK_SECRET_WEAK',
      status: 'problem',
      found: `bound to ${config.host} with a webhook secret under ${MIN_SECRET_CHARS} characters: ${weak.join(', ')}`,
      fix: 'use a long random secret (`openssl rand -hex 32`) in the sender and in that setting',
    };
  }
  const unset = WEBHOOK_SECRETS.filter(([k]) => config[k] === undefined).map(([, env]) => env);
  return {
    check: 'webhook-secrets',
    code: 'WEBHOOK_SECRETS_OK',
    status: 'ok',
    found:
      set.length === 0
        ? `bound to ${config.host}; no webhook secret set, so webhooks need a Bearer token with the ingest role`
        : `bound to ${config.host}; signed webhooks: ${set.map(([, env]) => env).join(', ')}${unset.length ? `; the others need a Bearer token` : ''}`,
    fix: null,
  };
}
