// The example world's executor: the supervisor of `orrery demo` (src/demo/control.ts) serves a
// small control API on loopback, and this client asks it to roll a service back to an earlier
// tag, scale it, change an env value, turn the fault flag off or restart it — on the shop's real
// processes. Actions carry the proposal's idempotency key: the supervisor runs each key once and
// answers a repeat with the first result, and says whether a key it was sent has run, which is
// how a crash is recovered.
//
//   GET  /state          {services: [{service, version, replicas, env, flags, versions}]}
//   POST /actions        {id, action} → {did: [...], undo}        (400/409 {message} when it cannot)
//   GET  /actions/:id    {status: running|done|failed, did?, undo?, message?} or 404
import { inverseOf, titleOf } from '../../../analysis/index.js';
import type { ExecutionReport, Precondition, ProposalAction } from '../../../model/index.js';
import {
  type ExecutionContext,
  type Executor,
  ExecutorError,
  type ExecutorPlan,
  type RecoverResult,
} from '../../executor.js';

export interface DemoExecutorOptions {
  url: string;
  token: string;
  timeoutMs?: number;
}

/** One service as the supervisor reports it. */
export interface DemoServiceState {
  service: string;
  version: string;
  replicas: number;
  hpa: { min: number; max: number } | null;
  env: Record<string, string>;
  flags: Record<string, number>;
  /** Versions it can deploy (the repository's tags of the service). */
  versions: string[];
}

interface ActionAnswer {
  status?: 'running' | 'done' | 'failed';
  did?: string[];
  undo?: string;
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DemoExecutor implements Executor {
  readonly name = 'demo';

  constructor(private readonly opts: DemoExecutorOptions) {}

  refusal(action: ProposalAction): string | null {
    return action.kind === 'revert'
      ? "the example world's supervisor deploys tags, not commits: a revert goes through the GitOps executor"
      : null;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.url.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 300_000),
      });
    } catch (err) {
      throw new ExecutorError(`the demo supervisor at ${this.opts.url} did not answer: ${(err as Error).message}`);
    }
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as T;
    return { status: res.status, json };
  }

  async state(): Promise<DemoServiceState[]> {
    const r = await this.call<{ services: DemoServiceState[] }>('GET', '/state');
    if (r.status !== 200) throw new ExecutorError(`the demo supervisor answered ${r.status} to GET /state`);
    return r.json.services;
  }

  private checks(action: ProposalAction, services: DemoServiceState[]): { pre: Precondition[]; patch: string[] } {
    const pre: Precondition[] = [];
    const patch: string[] = [];
    const need = (name: string) => {
      const s = services.find((x) => x.service === name);
      if (!s)
        throw new ExecutorError(
          `the example world runs no service "${name}" (it runs ${services.map((x) => x.service).join(', ')})`,
        );
      return s;
    };
    switch (action.kind) {
      case 'rollback': {
        const s = need(action.service);
        pre.push({
          key: 'demo-version',
          text: `the supervisor can deploy ${action.service} ${action.toVersion}`,
          met: s.versions.includes(action.toVersion),
          detail: `tags of ${action.service}: ${s.versions.join(', ')}; it runs ${s.version}`,
        });
        patch.push(
          `- ${action.service} ${s.version} (${s.replicas} replicas)`,
          `+ ${action.service} ${action.toVersion}: deploy tag ${action.service}/v${action.toVersion}, switch traffic, stop the old replicas`,
        );
        break;
      }
      case 'scale': {
        const s = need(action.service);
        if (action.replicas)
          patch.push(
            `- ${action.service} replicas ${s.replicas}`,
            `+ ${action.service} replicas ${action.replicas.to}`,
          );
        if (action.hpaMin)
          patch.push(
            `- ${action.service} HPA min ${s.hpa?.min ?? '(no HPA)'}`,
            `+ ${action.service} HPA min ${action.hpaMin.to}`,
          );
        if (action.hpaMin && !s.hpa)
          throw new ExecutorError(`${action.service} has no autoscaler in the example world`);
        patch.push(`  then redeploy ${action.service} ${s.version} with the new count`);
        break;
      }
      case 'config': {
        const s = need(action.service);
        if (!(action.name in s.env))
          throw new ExecutorError(`${action.service}'s manifest declares no env ${action.name}`);
        patch.push(
          `- ${action.service} ${action.name}=${s.env[action.name]}`,
          `+ ${action.service} ${action.name}=${action.to}`,
          `  then redeploy ${action.service} ${s.version}`,
        );
        break;
      }
      case 'flag': {
        const s = need(action.service);
        if (!(action.flag in s.flags))
          throw new ExecutorError(
            `${action.service}'s flag file has no flag ${action.flag} (it has ${Object.keys(s.flags).join(', ')})`,
          );
        patch.push(
          `- ${action.service} flag ${action.flag}=${s.flags[action.flag]}`,
          `+ ${action.service} flag ${action.flag} ${action.to}`,
        );
        break;
      }
      case 'restart':
        for (const name of action.services) {
          const s = need(name);
          patch.push(`~ ${name} ${s.version}: start ${s.replicas} new replicas, switch traffic, stop the old ones`);
        }
        break;
      case 'revert':
        throw new ExecutorError(this.refusal(action)!);
    }
    return { pre, patch };
  }

  async plan(action: ProposalAction, x: ExecutionContext): Promise<ExecutorPlan> {
    const { pre, patch } = this.checks(action, await this.state());
    if (pre.some((p) => p.met === false))
      throw new ExecutorError(
        pre
          .filter((p) => p.met === false)
          .map((p) => `${p.text}: no (${p.detail})`)
          .join('; '),
      );
    return {
      diff: {
        executor: this.name,
        target: `the example world's supervisor at ${this.opts.url} (action ${x.idempotencyKey})`,
        changes: [{ what: 'supervisor', from: null, to: titleOf(action) }],
        patch: `${patch.join('\n')}\n`,
      },
      preconditions: pre,
    };
  }

  private report(action: ProposalAction, x: ExecutionContext, a: ActionAnswer): ExecutionReport {
    return {
      executor: this.name,
      did: a.did ?? [],
      undo: { text: a.undo ?? 'nothing to undo', action: inverseOf(action) },
      refs: [{ kind: 'delivery', value: x.idempotencyKey }],
    };
  }

  async apply(action: ProposalAction, x: ExecutionContext): Promise<ExecutionReport> {
    const r = await this.call<ActionAnswer>('POST', '/actions', { id: x.idempotencyKey, action });
    if (r.status !== 200)
      throw new ExecutorError(`the demo supervisor refused: ${r.json.message ?? `status ${r.status}`}`);
    return this.report(action, x, r.json);
  }

  async recover(action: ProposalAction, x: ExecutionContext): Promise<RecoverResult> {
    for (let i = 0; i < 600; i++) {
      const r = await this.call<ActionAnswer>('GET', `/actions/${encodeURIComponent(x.idempotencyKey)}`);
      if (r.status === 404) return { state: 'not-started', how: `the supervisor never received ${x.idempotencyKey}` };
      if (r.json.status === 'done')
        return {
          state: 'executed',
          report: this.report(action, x, r.json),
          how: `the supervisor had run ${x.idempotencyKey}`,
        };
      if (r.json.status === 'failed')
        return { state: 'unknown', why: `the supervisor's run of it failed: ${r.json.message ?? ''}` };
      await sleep(500);
    }
    return { state: 'unknown', why: `${x.idempotencyKey} was still running on the supervisor after 5 minutes` };
  }
}
