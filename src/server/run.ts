// The composition root: opens the store, starts the group-commit writer, the listeners
// and the retention job, and stops them in order (stop listening, drain, close the store).
import { hostname } from 'node:os';
import { ApproverWebhook, executorsFromConfig } from '../act/index.js';
import type { Config } from '../config/index.js';
import { SelfMetrics } from '../observe/index.js';
import { compileRedactor } from '../ingest/transforms/index.js';
import { BatchWriter, EMAIL_HASH_KEY, instanceSecret, openStore } from '../store/index.js';
import {
  AnalysisPipeline,
  type Context,
  expireDue,
  notifyApprovers,
  recoverExecutions,
  verifyRecentDeploys,
  watchRecentOutcomes,
} from '../workflows/index.js';
import { buildServer, type OrreryServer } from './server.js';

export interface RunningOrrery {
  ctx: Context;
  server: OrreryServer;
  addresses: { api: string; otlp: string };
  stop(): Promise<void>;
}

export interface StartOptions {
  allowAnonymousLoopback: boolean;
  version: string;
  /** How often to drop expired partitions; default hourly. */
  retentionIntervalMs?: number;
  /** How often recent deploys are verified (default each minute). */
  verifyIntervalMs?: number;
  /** How often due approver notices are sent, with ORRERY_APPROVER_WEBHOOK_URL (default every 5 s). */
  noticeIntervalMs?: number;
}

export async function startOrrery(config: Config, opts: StartOptions): Promise<RunningOrrery> {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    retentionDays: config.retention,
    poolSize: config.dbPoolSize,
    ...(config.auditKey ? { auditKey: config.auditKey } : {}),
  });
  const metrics = new SelfMetrics();
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: store.db.concurrency,
    maxQueuedRecords: config.maxQueuedRecords,
    maxQueueWaitMs: config.maxQueueWaitMs,
    maxBatchRecords: 20_000,
    onCommit: (n, s, ok) => metrics.recordStoreWrite(n, s, ok),
  });
  metrics.gauge('orrery_ingest_queued_records', 'Records waiting for a store transaction.', () => writer.queuedRecords);
  const ctx: Context = {
    store,
    writer,
    metrics,
    remediation: {
      executors: executorsFromConfig(config),
      node: config.nodeId ?? `${hostname()}:${process.pid}`,
      leaseMs: config.executionLeaseMs,
    },
  };

  let server: OrreryServer | undefined;
  try {
    if (config.redact === 'on') {
      ctx.redactor = compileRedactor({
        hashKey: await instanceSecret(store.db, EMAIL_HASH_KEY),
        rules: config.redactRules,
        disable: config.redactDisable
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      });
    }
    await store.applyRetention();
    server = buildServer(ctx, config, opts);
    if (config.analysis === 'on') {
      const log = server.api.log;
      ctx.analysis = new AnalysisPipeline(store.db, metrics, {
        flushIntervalMs: config.analysisFlushMs,
        limits: {
          maxServices: config.maxServices,
          maxPatternsPerService: config.maxPatternsPerService,
          maxErrorGroupsPerService: config.maxErrorGroupsPerService,
          maxEndpointsPerService: config.maxEndpointsPerService,
        },
        onError: (err, what) => log.error({ err }, `${what} failed`),
      });
      await ctx.analysis.start();
    }
    const addresses = await server.listen();
    const retention = setInterval(() => {
      store.applyRetention().catch((err) => server?.api.log.error({ err }, 'retention failed'));
    }, opts.retentionIntervalMs ?? 3_600_000);
    retention.unref();
    // Executions a crash left in flight: on the embedded store this process is the only one (the
    // data directory's lock), so every claim found at start is finished now; on PostgreSQL this
    // node's own claims are, and other nodes' once their lease runs out (checked every third of it).
    const log = server.api.log;
    const recover = (opts: { ownClaims: boolean; anyClaim?: boolean }) =>
      expireDue(ctx)
        .then(() => recoverExecutions(ctx, opts))
        .then((done) => {
          for (const d of done) log.warn({ proposal: d.id, status: d.status }, 'recovered an execution left in flight');
        })
        .catch((err) => log.error({ err }, 'recovering executions failed'));
    void recover({ ownClaims: true, anyClaim: store.backend === 'pglite' });
    const recovery = setInterval(
      () => void recover({ ownClaims: false }),
      Math.max(1_000, config.executionLeaseMs / 3),
    );
    recovery.unref();
    // Approver notices, on their own timer: a slow or broken receiver never holds up a proposal.
    const webhook =
      config.approverWebhookUrl && config.approverWebhookSecret
        ? new ApproverWebhook({
            url: config.approverWebhookUrl,
            secret: config.approverWebhookSecret,
            ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
          })
        : null;
    let notifying: Promise<unknown> | null = null;
    const notices = setInterval(() => {
      if (!webhook || notifying) return;
      notifying = notifyApprovers(ctx, webhook, { expiringMs: config.approverExpiringMinutes * 60_000 })
        .then((r) => {
          for (const f of r.failed)
            log.warn(
              { proposal: f.id, event: f.event, attempts: f.attempts, error: f.error },
              'approver notice failed',
            );
        })
        .catch((err) => log.error({ err }, 'approver notices failed'))
        .finally(() => {
          notifying = null;
        });
    }, opts.noticeIntervalMs ?? 5_000);
    notices.unref();
    // Deploy verification: recent deploys are verified each minute until their verdict is decided.
    let verifying: Promise<unknown> | null = null;
    const verify = setInterval(() => {
      if (verifying || config.analysis !== 'on') return;
      verifying = verifyRecentDeploys(ctx, {
        watchMinutes: config.verifyWatchMinutes,
        onError: (err, id) => server?.api.log.error({ err }, `verifying deploy ${id} failed`),
      })
        // Then the executed remediations, watched the same way (issue 21, after the action).
        .then(() =>
          watchRecentOutcomes(ctx, {
            watchMinutes: config.verifyWatchMinutes,
            onError: (err, id) => server?.api.log.error({ err }, `watching proposal ${id}'s outcome failed`),
          }),
        )
        .catch((err) => server?.api.log.error({ err }, 'deploy verification failed'))
        .finally(() => {
          verifying = null;
        });
    }, opts.verifyIntervalMs ?? 60_000);
    verify.unref();
    let stopping: Promise<void> | undefined;
    return {
      ctx,
      server,
      addresses,
      stop() {
        stopping ??= (async () => {
          clearInterval(retention);
          clearInterval(recovery);
          clearInterval(verify);
          clearInterval(notices);
          await verifying;
          await notifying;
          await server!.close();
          await writer.drain();
          await ctx.analysis?.stop();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await server?.close();
    await ctx.analysis?.stop().catch(() => undefined);
    await store.close();
    throw err;
  }
}
