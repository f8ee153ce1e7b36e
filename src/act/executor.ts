// The one interface every remediation executor implements (GitOps, webhook, the example world's
// supervisor), and what the workflow hands it. An executor is a sink named by what it talks to;
// it plans without changing anything (the dry-run diff a person approves), applies exactly that,
// reports what it did and how to undo it, and, after a crash cut an apply short, says whether
// the apply took effect, finishing it when it safely can. test/act/conformance.ts is the suite
// every executor passes.
import type { DryRunDiff, ExecutionReport, Precondition, ProposalAction } from '../model/index.js';

export interface ExecutionContext {
  proposalId: number;
  title: string;
  /** The same on every attempt of one proposal, so a receiver can tell a repeat. */
  idempotencyKey: string;
  /** For a revert: the indexed repository's working tree, resolved by the workflow. */
  repositoryPath?: string | null;
}

export interface ExecutorPlan {
  diff: DryRunDiff;
  /** What this executor needs to hold when it runs (e.g. the manifest still says the version being rolled back). */
  preconditions: Precondition[];
}

export type RecoverResult =
  /** The apply had taken effect, or the executor finished it now without repeating any part. */
  | { state: 'executed'; report: ExecutionReport; how: string }
  /** Nothing of the apply happened: the workflow may run it now. */
  | { state: 'not-started'; how: string }
  /** The executor cannot tell: a person must look (the proposal becomes needs-attention). */
  | { state: 'unknown'; why: string };

export interface Executor {
  /** `gitops`, `webhook`, `demo`. */
  readonly name: string;
  /** Null when it can run the action, else why not (the workflow then tries the next executor). */
  refusal(action: ProposalAction): string | null;
  /** The dry run: exactly what `apply` would change, computed without changing anything. */
  plan(action: ProposalAction, x: ExecutionContext): Promise<ExecutorPlan>;
  /** Makes the change; throws ExecutorError when it cannot (a precondition no longer holds, the target refused). */
  apply(action: ProposalAction, x: ExecutionContext): Promise<ExecutionReport>;
  /** After a crash during `apply`: whether it took effect (see RecoverResult). */
  recover(action: ProposalAction, x: ExecutionContext): Promise<RecoverResult>;
}

/** An executor could not do what it was asked; the message says what and why. */
export class ExecutorError extends Error {
  override name = 'ExecutorError';
}

/** The key an executor is given for a proposal: stable across attempts and nodes. */
export const idempotencyKeyOf = (proposalId: number) => `orrery-proposal-${proposalId}`;
