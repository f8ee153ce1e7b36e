// Remediation executors: one interface (executor.ts), and the sinks that implement it, each named
// by what it talks to.
export { ExecutorError, idempotencyKeyOf } from './executor.js';
export type { Executor, ExecutionContext, ExecutorPlan, RecoverResult } from './executor.js';
export { GitOpsExecutor, editManifests } from './sinks/gitops/index.js';
export type { GitOpsOptions, GitHubOptions, ManifestFile, ManifestEdit, EditResult } from './sinks/gitops/index.js';
export { WebhookExecutor, webhookSignature } from './sinks/webhook/index.js';
export type { WebhookExecutorOptions, WebhookBody } from './sinks/webhook/index.js';
export { DemoExecutor } from './sinks/demo/index.js';
export type { DemoExecutorOptions, DemoServiceState } from './sinks/demo/index.js';
export { executorsFromConfig } from './from-config.js';
export { ApproverWebhook, ApproverWebhookError } from './sinks/approver-webhook/index.js';
export type { ApproverWebhookOptions, ApproverNotice } from './sinks/approver-webhook/index.js';
