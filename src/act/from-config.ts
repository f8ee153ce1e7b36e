// The executors a node runs approved proposals on, from the one validated configuration, in the
// order ORRERY_EXECUTORS names them.
import type { Config } from '../config/index.js';
import type { Executor } from './executor.js';
import { DemoExecutor } from './sinks/demo/index.js';
import { GitOpsExecutor } from './sinks/gitops/index.js';
import { WebhookExecutor } from './sinks/webhook/index.js';

export function executorsFromConfig(c: Config): Executor[] {
  return c.executors.map((name): Executor => {
    switch (name) {
      case 'gitops':
        return new GitOpsExecutor({
          repoDir: c.gitopsRepo!,
          ...(c.gitopsBase ? { baseBranch: c.gitopsBase } : {}),
          dir: c.gitopsDir,
          ...(c.gitopsRemote ? { remote: c.gitopsRemote } : {}),
          ...(c.githubRepo && c.githubToken
            ? { github: { apiUrl: c.githubApiUrl, repo: c.githubRepo, token: c.githubToken } }
            : {}),
        });
      case 'webhook':
        return new WebhookExecutor({ url: c.webhookExecutorUrl!, secret: c.webhookExecutorSecret! });
      default:
        return new DemoExecutor({ url: c.demoExecutorUrl!, token: c.demoExecutorToken! });
    }
  });
}
