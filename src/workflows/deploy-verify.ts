// Deploy verification: reads a deploy's signals before and after it (store/verify-query), runs
// deploy-verify@2 (analysis/verify) and, once the verdict is decided, stores it on the deploy (the
// first decision stands) and, for a regressed deploy, opens or joins its problem in triage. The
// server's loop verifies recent deploys each minute until decided; the API and the CLI ask here.
import { DEPLOY_VERIFY_ALGORITHM, VERIFY_DEFAULTS, verifyDeploy } from '../analysis/verify/index.js';
import type { Deploy, DeployVerification } from '../model/index.js';
import { getDeploy, storeVerification, storedVerification, unverifiedDeploys, verifyFacts } from '../store/index.js';
import type { Context } from './context.js';
import { listProblems } from '../store/problem-store.js';
import { triage } from './triage.js';

const MINUTE = 60_000;
export const DEFAULT_BASELINE_MINUTES = 30;
/**
 * A minute's rows are complete this long after it ends: the analysis pipeline's flush (5 s by
 * default) and a batch's way through the collector and the receiver.
 */
export const DEFAULT_SETTLE_MS = 20_000;

export interface VerifyDeployOptions {
  now?: Date;
  /** The watch window; default 10 minutes (ORRERY_VERIFY_WATCH_MINUTES). */
  watchMinutes?: number;
  baselineMinutes?: number;
  settleMs?: number;
  /** Store a decided verdict and open or join a problem for a regressed one. Default true. */
  store?: boolean;
}

/** The problem a regressed deploy opened or joined: the run's open problem that holds one of its error groups or patterns, else its service's first seen since the deploy. */
async function problemFor(ctx: Pick<Context, 'store'>, v: DeployVerification, deploy: Deploy): Promise<number | null> {
  await triage(ctx, {});
  const open = await listProblems(ctx.store.db, { status: 'open', limit: 1000 });
  const refs = new Set(
    v.findings
      .filter((f) => f.test && (f.test.family === 'error-groups' || f.test.family === 'log-patterns'))
      .map((f) => f.test!.key),
  );
  const member = open.find(
    (p) => p.service === deploy.service && p.members.some((m) => m.service === deploy.service && refs.has(m.ref)),
  );
  if (member) return member.id;
  const since = Date.parse(deploy.deployedAt) - MINUTE;
  const seen = open.find(
    (p) => p.services.includes(deploy.service) && p.firstSeen !== null && Date.parse(p.firstSeen) >= since,
  );
  return seen?.id ?? null;
}

/**
 * A deploy's verification: the stored one once decided, else computed now from the minutes with
 * complete data (and stored when that decides it). Null when there is no such deploy.
 */
export async function verifyDeployment(
  ctx: Pick<Context, 'store'>,
  id: number,
  opts: VerifyDeployOptions = {},
): Promise<DeployVerification | null> {
  const db = ctx.store.db;
  const stored = await storedVerification(db, id);
  if (stored) return stored;
  const deploy = await getDeploy(db, id);
  if (!deploy) return null;
  const now = opts.now ?? new Date();
  const settle = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const completeBeforeMs = Math.floor((now.getTime() - settle) / MINUTE) * MINUTE;
  const facts = await verifyFacts(db, {
    deploy: {
      id: deploy.id,
      service: deploy.service,
      environment: deploy.environment,
      version: deploy.version,
      deployedAtMs: Date.parse(deploy.deployedAt),
    },
    baselineMinutes: opts.baselineMinutes ?? DEFAULT_BASELINE_MINUTES,
    completeBeforeMs,
  });
  const { verification } = verifyDeploy(facts, { watchMinutes: opts.watchMinutes ?? VERIFY_DEFAULTS.watchMinutes });
  const v: DeployVerification = { ...verification, evaluatedAt: now.toISOString(), problemId: null };
  if (v.verdict === 'watching' || opts.store === false) return v;
  if (v.verdict === 'regressed') v.problemId = await problemFor(ctx, v, deploy);
  if (!(await storeVerification(db, v))) return (await storedVerification(db, id)) ?? v;
  return v;
}

export interface VerifyRecentResult {
  algorithm: typeof DEPLOY_VERIFY_ALGORITHM;
  checked: number;
  decided: Array<{ deployId: number; verdict: DeployVerification['verdict'] }>;
  failed: number;
}

/**
 * Verifies the deploys of the last watch window and an hour still undecided (the server's
 * minute loop); a deploy that fails to verify is counted and tried again next time.
 */
export async function verifyRecentDeploys(
  ctx: Pick<Context, 'store'>,
  opts: VerifyDeployOptions & { onError?: (err: Error, deployId: number) => void } = {},
): Promise<VerifyRecentResult> {
  const now = opts.now ?? new Date();
  const watch = opts.watchMinutes ?? VERIFY_DEFAULTS.watchMinutes;
  const ids = await unverifiedDeploys(ctx.store.db, new Date(now.getTime() - (watch + 60) * MINUTE), now);
  const out: VerifyRecentResult = { algorithm: DEPLOY_VERIFY_ALGORITHM, checked: ids.length, decided: [], failed: 0 };
  for (const id of ids) {
    try {
      const v = await verifyDeployment(ctx, id, { ...opts, now });
      if (v && v.verdict !== 'watching') out.decided.push({ deployId: id, verdict: v.verdict });
    } catch (err) {
      out.failed++;
      opts.onError?.(err as Error, id);
    }
  }
  return out;
}
