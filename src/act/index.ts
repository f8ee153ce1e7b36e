// Remediation executors: one interface (executor.ts), and the sinks that implement it.
export { ExecutorError, idempotencyKeyOf } from './executor.js';
export type { Executor, ExecutionContext, ExecutorPlan, RecoverResult } from './executor.js';
