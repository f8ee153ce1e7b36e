// The one validated configuration. Environment variables (ORRERY_*) are read once and
// overridden by command-line flags; a bad value fails at start with the setting's name.
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(d|h)$/i;

/** "7d" or "36h" as days. */
export function parseRetention(v: string): number {
  const m = DURATION.exec(v.trim());
  if (!m) throw new Error(`"${v}" is not a duration like 7d or 48h`);
  return m[2]!.toLowerCase() === 'd' ? Number(m[1]) : Number(m[1]) / 24;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const bytes = z.coerce.number().int().positive();

export const configSchema = z.object({
  dataDir: z.string().min(1).default('./.orrery'),
  databaseUrl: z
    .string()
    .refine((s) => /^postgres(ql)?:\/\//.test(s), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8470),
  otlpHost: z.string().min(1).optional(),
  otlpPort: z.coerce.number().int().min(0).max(65535).default(4318),
  /** OTLP/gRPC on the OTLP host; `off`: no gRPC listener (0, as for the other ports, is any free port). */
  otlpGrpcPort: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(4317)
    .transform((v) => (v === 'off' ? null : v)),
  retention: z
    .string()
    .default('7d')
    .transform((s, ctx) => {
      try {
        const days = parseRetention(s);
        if (days < 1) throw new Error('must be at least 1d: raw events are dropped a day at a time');
        return days;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  auth: z.enum(['auto', 'required']).default('auto'),
  /**
   * Host names the API answers to besides loopback and the bound address (comma separated; a
   * port is ignored), e.g. the name a reverse proxy or webhook sender uses; `*` turns the check off.
   */
  publicHosts: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const names = s
        .split(',')
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n !== '')
        .map((n) => (n === '*' ? n : n.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1')));
      for (const n of names) {
        if (n !== '*' && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.?$|^[0-9a-f:.]+$/.test(n)) {
          ctx.addIssue({ code: 'custom', message: `"${n}" is not a host name or address` });
          return z.NEVER;
        }
      }
      return names.map((n) => n.replace(/\.$/, ''));
    }),
  maxBodyBytes: bytes.default(16 * 1024 * 1024),
  maxDecodedBytes: bytes.default(64 * 1024 * 1024),
  maxQueuedRecords: bytes.default(100_000),
  maxQueueWaitMs: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** Inflated request bodies held at once across all requests (a gzip bomb flood stays within it). */
  maxInflightDecodedBytes: bytes.default(256 * 1024 * 1024),
  /** A compressed body may inflate to at most this many times its size (past 1 MiB); 0: no limit. */
  maxInflateRatio: z.coerce.number().int().min(0).max(100_000).default(500),
  /** Ingest is refused (503 + Retry-After) while the process's resident memory nears this many MiB; 0: no cap. */
  maxRssMb: z.coerce.number().int().min(0).max(1_048_576).default(1024),
  /** Bad tokens (decayed, half-life 30 s) one client address may send before its requests are refused with 429; 0: no limit. */
  authFailureLimit: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** The longest penalty of a throttled address (the first is 1 s, each next one twice as long). */
  authPenaltyMaxSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
  /** OTLP requests processed at once; default from the store (4 on PGlite, 2 per pool connection on PostgreSQL). */
  ingestConcurrency: z.coerce.number().int().min(1).max(1_000).optional(),
  /** A request body must arrive whole within this time… */
  bodyTimeoutMs: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** …and, after its first 5 s, at least this fast. */
  minBodyBytesPerSecond: z.coerce.number().int().min(0).max(1_000_000_000).default(1_024),
  dbPoolSize: z.coerce.number().int().min(1).max(100).default(6),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  // Streaming analysis (patterns, error groups, RED, service graph) and its memory bounds.
  analysis: z.enum(['on', 'off']).default('on'),
  analysisFlushMs: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Deploy verification's watch window: a deploy is judged healthy or inconclusive this long after it went out. */
  verifyWatchMinutes: z.coerce.number().int().min(1).max(240).default(10),
  maxServices: z.coerce.number().int().min(1).max(100_000).default(500),
  maxPatternsPerService: z.coerce.number().int().min(10).max(1_000_000).default(2_000),
  maxErrorGroupsPerService: z.coerce.number().int().min(10).max(1_000_000).default(1_000),
  maxEndpointsPerService: z.coerce.number().int().min(10).max(1_000_000).default(500),
  // Redaction of secrets and personal data before anything is stored.
  redact: z.enum(['on', 'off']).default('on'),
  /** Built-in rules to switch off, comma separated: email, card, bearer, jwt, api_key, url_password. */
  redactDisable: z.string().default(''),
  /** Extra rules as a JSON array of {name, pattern, flags?, replacement?}. */
  redactRules: z
    .string()
    .default('[]')
    .transform((s, ctx) => {
      try {
        const v: unknown = JSON.parse(s);
        const rules = z
          .array(
            z.object({
              name: z.string().min(1),
              pattern: z.string().min(1),
              flags: z.string().optional(),
              replacement: z.string().optional(),
            }),
          )
          .parse(v);
        for (const r of rules) {
          try {
            new RegExp(r.pattern, r.flags);
          } catch (err) {
            throw new Error(`rule "${r.name}": ${(err as Error).message}`);
          }
        }
        return rules;
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a JSON array of {name, pattern, flags?, replacement?}: ${(err as Error).message.split('\n')[0]}`,
        });
        return z.NEVER;
      }
    }),
  // Ticket webhook secrets: when one is set, that webhook must carry a valid signature (or a Bearer token).
  githubWebhookSecret: z.string().min(1).optional(),
  jiraWebhookSecret: z.string().min(1).optional(),
  zendeskWebhookSecret: z.string().min(1).optional(),
  linearWebhookSecret: z.string().min(1).optional(),
  /** How far from now a signed webhook time (Zendesk's timestamp, Linear's webhookTimestamp) may be: older is a replay. */
  webhookToleranceSeconds: z.coerce.number().int().min(30).max(86_400).default(300),
  // The optional LLM narrative of investigations: any OpenAI-compatible chat endpoint. Off when no URL is set.
  llmUrl: z
    .string()
    .refine(isHttpUrl, 'must be an http:// or https:// URL, the API base such as http://127.0.0.1:11434/v1')
    .refine(
      (s) => !isHttpUrl(s) || !/^[a-z]+:\/\/[^/?#]*@/i.test(s),
      'must not hold a user or password: set ORRERY_LLM_API_KEY instead',
    )
    .optional(),
  llmModel: z.string().min(1).default('gpt-4o-mini'),
  llmApiKey: z.string().min(1).optional(),
  llmTimeoutMs: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  // Pull-request reviews delivered to GitHub (a check run and one summary comment): ORRERY_GITHUB_TOKEN
  // (below, shared with the GitOps executor), or a GitHub App.
  githubAppId: z.coerce.number().int().positive().optional(),
  /** The App's private key (PEM); `\n` stands for a newline so it fits one environment variable. */
  githubAppPrivateKey: z
    .string()
    .min(1)
    .transform((s) => s.replace(/\\n/g, '\n'))
    .refine((s) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(s), "must be the App's PEM private key")
    .optional(),
  /** The App's installation; a webhook delivery names its own. */
  githubInstallationId: z.coerce.number().int().positive().optional(),
  /**
   * Signs the audit trail's entries and anchor (at least 32 characters). Absent: a key file made
   * once in the data directory. Nodes sharing one PostgreSQL must set the same value.
   */
  auditKey: z.string().min(32, 'must be at least 32 characters, e.g. `openssl rand -hex 32`').optional(),
  // Remediation: the executors approved proposals run on, in order of preference (none: nothing runs).
  executors: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const names = s
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '');
      for (const n of names)
        if (!EXECUTOR_NAMES.includes(n as ExecutorName)) {
          ctx.addIssue({ code: 'custom', message: `"${n}" is not an executor: ${EXECUTOR_NAMES.join(', ')}` });
          return z.NEVER;
        }
      return names as ExecutorName[];
    }),
  /** This node's name in execution claims; default the host name and process id. */
  nodeId: z.string().min(1).max(200).optional(),
  /** A claim not renewed for this long may be recovered by another node. */
  executionLeaseMs: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  gitopsRepo: z.string().min(1).optional(),
  gitopsBase: z.string().min(1).optional(),
  gitopsDir: z.string().default(''),
  gitopsRemote: z.string().min(1).optional(),
  githubApiUrl: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').default('https://api.github.com'),
  githubRepo: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name')
    .optional(),
  githubToken: z.string().min(1).optional(),
  webhookExecutorUrl: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
  webhookExecutorSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  demoExecutorUrl: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
  demoExecutorToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Where approvers are told of pending, expiring and decided proposals (a signed JSON POST). */
  approverWebhookUrl: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
  approverWebhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A waiting proposal this close to its expiry is notified as expiring. */
  approverExpiringMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  /** The UI's address as people open it, for links in notices. */
  publicUrl: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
});

export const EXECUTOR_NAMES = ['gitops', 'webhook', 'demo'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

export type Config = z.output<typeof configSchema> & { otlpHost: string };
export type ConfigInput = z.input<typeof configSchema>;

/** Each setting's environment variable; the docs table in docs/configuration.md mirrors this. */
export const ENV_VARS: Record<keyof ConfigInput, string> = {
  dataDir: 'ORRERY_DATA_DIR',
  databaseUrl: 'ORRERY_DATABASE_URL',
  host: 'ORRERY_HOST',
  port: 'ORRERY_PORT',
  otlpHost: 'ORRERY_OTLP_HOST',
  otlpPort: 'ORRERY_OTLP_PORT',
  otlpGrpcPort: 'ORRERY_OTLP_GRPC_PORT',
  retention: 'ORRERY_RETENTION',
  auth: 'ORRERY_AUTH',
  publicHosts: 'ORRERY_PUBLIC_HOSTS',
  maxBodyBytes: 'ORRERY_MAX_BODY_BYTES',
  maxDecodedBytes: 'ORRERY_MAX_DECODED_BYTES',
  maxQueuedRecords: 'ORRERY_MAX_QUEUED_RECORDS',
  maxQueueWaitMs: 'ORRERY_MAX_QUEUE_WAIT_MS',
  maxInflightDecodedBytes: 'ORRERY_MAX_INFLIGHT_DECODED_BYTES',
  maxInflateRatio: 'ORRERY_MAX_INFLATE_RATIO',
  maxRssMb: 'ORRERY_MAX_RSS_MB',
  authFailureLimit: 'ORRERY_AUTH_FAILURE_LIMIT',
  authPenaltyMaxSeconds: 'ORRERY_AUTH_PENALTY_MAX_SECONDS',
  ingestConcurrency: 'ORRERY_INGEST_CONCURRENCY',
  bodyTimeoutMs: 'ORRERY_BODY_TIMEOUT_MS',
  minBodyBytesPerSecond: 'ORRERY_MIN_BODY_BYTES_PER_SECOND',
  dbPoolSize: 'ORRERY_DB_POOL_SIZE',
  logLevel: 'ORRERY_LOG_LEVEL',
  analysis: 'ORRERY_ANALYSIS',
  analysisFlushMs: 'ORRERY_ANALYSIS_FLUSH_MS',
  verifyWatchMinutes: 'ORRERY_VERIFY_WATCH_MINUTES',
  maxServices: 'ORRERY_MAX_SERVICES',
  maxPatternsPerService: 'ORRERY_MAX_PATTERNS_PER_SERVICE',
  maxErrorGroupsPerService: 'ORRERY_MAX_ERROR_GROUPS_PER_SERVICE',
  maxEndpointsPerService: 'ORRERY_MAX_ENDPOINTS_PER_SERVICE',
  redact: 'ORRERY_REDACT',
  redactDisable: 'ORRERY_REDACT_DISABLE',
  redactRules: 'ORRERY_REDACT_RULES',
  githubWebhookSecret: 'ORRERY_GITHUB_WEBHOOK_SECRET',
  jiraWebhookSecret: 'ORRERY_JIRA_WEBHOOK_SECRET',
  zendeskWebhookSecret: 'ORRERY_ZENDESK_WEBHOOK_SECRET',
  linearWebhookSecret: 'ORRERY_LINEAR_WEBHOOK_SECRET',
  webhookToleranceSeconds: 'ORRERY_WEBHOOK_TOLERANCE_SECONDS',
  llmUrl: 'ORRERY_LLM_URL',
  llmModel: 'ORRERY_LLM_MODEL',
  llmApiKey: 'ORRERY_LLM_API_KEY',
  llmTimeoutMs: 'ORRERY_LLM_TIMEOUT_MS',
  githubAppId: 'ORRERY_GITHUB_APP_ID',
  githubAppPrivateKey: 'ORRERY_GITHUB_APP_PRIVATE_KEY',
  githubInstallationId: 'ORRERY_GITHUB_INSTALLATION_ID',
  auditKey: 'ORRERY_AUDIT_KEY',
  executors: 'ORRERY_EXECUTORS',
  nodeId: 'ORRERY_NODE_ID',
  executionLeaseMs: 'ORRERY_EXECUTION_LEASE_MS',
  gitopsRepo: 'ORRERY_GITOPS_REPO',
  gitopsBase: 'ORRERY_GITOPS_BASE',
  gitopsDir: 'ORRERY_GITOPS_DIR',
  gitopsRemote: 'ORRERY_GITOPS_REMOTE',
  githubApiUrl: 'ORRERY_GITHUB_API_URL',
  githubRepo: 'ORRERY_GITHUB_REPO',
  githubToken: 'ORRERY_GITHUB_TOKEN',
  webhookExecutorUrl: 'ORRERY_WEBHOOK_EXECUTOR_URL',
  webhookExecutorSecret: 'ORRERY_WEBHOOK_EXECUTOR_SECRET',
  demoExecutorUrl: 'ORRERY_DEMO_EXECUTOR_URL',
  demoExecutorToken: 'ORRERY_DEMO_EXECUTOR_TOKEN',
  approverWebhookUrl: 'ORRERY_APPROVER_WEBHOOK_URL',
  approverWebhookSecret: 'ORRERY_APPROVER_WEBHOOK_SECRET',
  approverExpiringMinutes: 'ORRERY_APPROVER_EXPIRING_MINUTES',
  publicUrl: 'ORRERY_PUBLIC_URL',
};

export class ConfigError extends Error {}

/** Reads the environment, applies flag overrides (undefined means "not given"), validates. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  overrides: Partial<Record<keyof ConfigInput, unknown>> = {},
): Config {
  const input: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      input[key] = v;
      from[key] = name;
    }
  }
  for (const [key, v] of Object.entries(overrides)) {
    if (v !== undefined) {
      input[key] = v;
      from[key] = `--${key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
    }
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const name = from[key] ?? ENV_VARS[key as keyof ConfigInput] ?? key;
      return `${name}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  if (parsed.data.maxDecodedBytes > parsed.data.maxInflightDecodedBytes) {
    const a = from.maxDecodedBytes ?? ENV_VARS.maxDecodedBytes;
    const b = from.maxInflightDecodedBytes ?? ENV_VARS.maxInflightDecodedBytes;
    throw new ConfigError(`invalid configuration:\n  ${a}: must not be larger than ${b}`);
  }
  const d = parsed.data;
  const needs: Array<[ExecutorName, Array<keyof ConfigInput>]> = [
    ['gitops', ['gitopsRepo']],
    ['webhook', ['webhookExecutorUrl', 'webhookExecutorSecret']],
    ['demo', ['demoExecutorUrl', 'demoExecutorToken']],
  ];
  for (const [name, keys] of needs)
    for (const k of keys)
      if (d.executors.includes(name) && d[k as keyof typeof d] === undefined)
        throw new ConfigError(
          `invalid configuration:\n  ${ENV_VARS[k]}: the ${name} executor (ORRERY_EXECUTORS) needs it`,
        );
  if ((d.approverWebhookUrl === undefined) !== (d.approverWebhookSecret === undefined))
    throw new ConfigError(
      d.approverWebhookUrl === undefined
        ? 'invalid configuration:\n  ORRERY_APPROVER_WEBHOOK_SECRET needs ORRERY_APPROVER_WEBHOOK_URL'
        : 'invalid configuration:\n  ORRERY_APPROVER_WEBHOOK_URL needs ORRERY_APPROVER_WEBHOOK_SECRET (the notices are signed with it)',
    );
  // The token alone serves review delivery; the GitOps pull requests need it with the repository.
  if (d.githubRepo !== undefined && d.githubToken === undefined)
    throw new ConfigError(
      'invalid configuration:\n  ORRERY_GITHUB_REPO needs ORRERY_GITHUB_TOKEN (the GitOps executor opens pull requests with it)',
    );
  return { ...d, otlpHost: d.otlpHost ?? d.host };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
