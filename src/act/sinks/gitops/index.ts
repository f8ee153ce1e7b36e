// The GitOps executor: commits the change to the Kubernetes manifests or Terraform variables in a
// repository, on a branch of its own (`orrery/proposal-<id>`), pushes it when a remote is
// configured and opens a pull request through GitHub's API when that is configured; a revert is
// `git revert` of the suspect commit on such a branch of the code repository. Every step is made
// only when missing (the branch's commit carries an `Orrery-Proposal: <id>` trailer), so running
// it again after a crash finishes it without repeating any part. The merge — and so the rollout —
// stays with the repository's own review and CD.
import { inverseOf, titleOf, undoText } from '../../../analysis/index.js';
import type { ExecutionReport, ProposalAction } from '../../../model/index.js';
import {
  type ExecutionContext,
  type Executor,
  ExecutorError,
  type ExecutorPlan,
  type RecoverResult,
} from '../../executor.js';
import {
  commitAll,
  git,
  headBranch,
  inWorktree,
  messageOf,
  push,
  readManifests,
  remoteHead,
  revParse,
  revert,
  unifiedDiff,
} from './git.js';
import { type GitHubOptions, findPullRequest, openPullRequest } from './github.js';
import { editManifests } from './manifests.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { editManifests } from './manifests.js';
export type { ManifestFile, ManifestEdit, EditResult } from './manifests.js';
export type { GitHubOptions } from './github.js';

export interface GitOpsOptions {
  /** A clone of the repository that holds the manifests (its checkout is left alone). */
  repoDir: string;
  /** The branch changes are based on and pull requests go into; default the clone's current branch. */
  baseBranch?: string;
  /** Where the manifests are (e.g. `deploy/k8s`); default the whole tree. */
  dir?: string;
  /** Push the branch to this remote (a name or a URL); absent: the branch stays in the clone. */
  remote?: string;
  /** Open a pull request for the branch. */
  github?: GitHubOptions;
}

const branchOf = (id: number) => `orrery/proposal-${id}`;
const trailerOf = (id: number) => `Orrery-Proposal: ${id}`;

export class GitOpsExecutor implements Executor {
  readonly name = 'gitops';

  constructor(private readonly opts: GitOpsOptions) {}

  refusal(action: ProposalAction): string | null {
    if (action.kind === 'flag')
      return 'feature flags are not kept in manifests: use the webhook executor to reach the flag service';
    return null;
  }

  private repoFor(action: ProposalAction, x: ExecutionContext): string {
    if (action.kind !== 'revert') return this.opts.repoDir;
    if (!x.repositoryPath)
      throw new ExecutorError(`the repository ${action.repository} has no working tree on this node`);
    return x.repositoryPath;
  }

  private async base(repo: string): Promise<{ branch: string; sha: string }> {
    const branch = this.opts.baseBranch ?? (await headBranch(repo));
    const sha = await revParse(repo, branch);
    if (!sha) throw new ExecutorError(`the base branch ${branch} does not exist in ${repo}`);
    return { branch, sha };
  }

  private target(repo: string, id: number, base: string): string {
    return [
      `git ${repo} branch ${branchOf(id)} from ${base}`,
      ...(this.opts.remote ? [`pushed to ${this.opts.remote}`] : []),
      ...(this.opts.github ? [`pull request into ${base} on ${this.opts.github.repo}`] : []),
    ].join(', ');
  }

  /** The edits at `sha`, or throws with every problem found. */
  private async edits(action: ProposalAction, id: number, sha: string) {
    const files = await readManifests(this.opts.repoDir, sha, this.opts.dir ?? '');
    const r = editManifests(files, action, id);
    if (r.problems.length || r.edits.length === 0)
      throw new ExecutorError(r.problems.join('; ') || 'nothing to change in the manifests');
    return r.edits;
  }

  async plan(action: ProposalAction, x: ExecutionContext): Promise<ExecutorPlan> {
    const why = this.refusal(action);
    if (why) throw new ExecutorError(why);
    const repo = this.repoFor(action, x);
    const base = await this.base(repo);
    if (action.kind === 'revert') {
      if (!(await revParse(repo, action.sha))) throw new ExecutorError(`commit ${action.sha} is not in ${repo}`);
      // A trial revert in a throwaway worktree: the exact diff, and proof that it applies.
      const patch = await inWorktree(repo, base.sha, null, async (dir) => {
        await revert(dir, action.sha, { noCommit: true });
        return git(dir, ['diff', '--cached', '--no-color']);
      });
      return {
        diff: {
          executor: this.name,
          target: this.target(repo, x.proposalId, base.branch),
          changes: [
            { what: `${action.repository} commit ${action.sha.slice(0, 10)}`, from: 'applied', to: 'reverted' },
          ],
          patch,
        },
        preconditions: [
          {
            key: 'revert-applies',
            text: `the revert of ${action.sha.slice(0, 10)} applies cleanly on ${base.branch}`,
            met: true,
            detail: `tried on ${base.sha.slice(0, 10)}`,
          },
        ],
      };
    }
    const edits = await this.edits(action, x.proposalId, base.sha);
    return {
      diff: {
        executor: this.name,
        target: this.target(repo, x.proposalId, base.branch),
        changes: edits.flatMap((e) => e.changes),
        patch: await unifiedDiff(edits),
      },
      preconditions: [
        {
          key: 'manifest-values',
          text: `${base.branch} holds the values changed from`,
          met: true,
          detail: `read at ${base.sha.slice(0, 10)}: ${edits.map((e) => e.path).join(', ')}`,
        },
      ],
    };
  }

  async apply(action: ProposalAction, x: ExecutionContext): Promise<ExecutionReport> {
    const why = this.refusal(action);
    if (why) throw new ExecutorError(why);
    const repo = this.repoFor(action, x);
    const branch = branchOf(x.proposalId);
    const trailer = trailerOf(x.proposalId);
    const base = await this.base(repo);
    const did: string[] = [];
    let commit = await revParse(repo, `refs/heads/${branch}`);
    if (commit) {
      if (!(await messageOf(repo, commit)).includes(trailer))
        throw new ExecutorError(`branch ${branch} exists in ${repo} and is not this proposal's (no "${trailer}")`);
      did.push(`branch ${branch} already had commit ${commit.slice(0, 10)}`);
    } else {
      const edits = action.kind === 'revert' ? [] : await this.edits(action, x.proposalId, base.sha);
      try {
        commit = await inWorktree(repo, base.sha, branch, async (dir) => {
          if (action.kind === 'revert') {
            await revert(dir, action.sha, { trailer });
            return (await git(dir, ['rev-parse', 'HEAD'])).trim();
          }
          for (const e of edits) writeFileSync(join(dir, e.path), e.after);
          return commitAll(
            dir,
            `${x.title}\n\nProposed by Orrery (proposal ${x.proposalId}), approved before it ran.\n\n${trailer}`,
          );
        });
      } catch (err) {
        await git(repo, ['branch', '-D', branch], { okCodes: [1] }).catch(() => {});
        throw err;
      }
      did.push(
        `committed ${commit.slice(0, 10)} on branch ${branch} (from ${base.branch} at ${base.sha.slice(0, 10)}): ${titleOf(action)}`,
      );
    }
    const refs: ExecutionReport['refs'] = [
      { kind: 'branch', value: branch },
      { kind: 'commit', value: commit },
    ];
    if (this.opts.remote) {
      if ((await remoteHead(repo, this.opts.remote, branch)) === commit)
        did.push(`${this.opts.remote} already had ${branch}`);
      else {
        await push(repo, this.opts.remote, branch);
        did.push(`pushed ${branch} to ${this.opts.remote}`);
      }
    }
    let prText = '';
    if (this.opts.github) {
      const found = await findPullRequest(this.opts.github, branch);
      const pr =
        found ??
        (await openPullRequest(this.opts.github, {
          title: x.title,
          head: branch,
          base: base.branch,
          body: `Proposed by Orrery (proposal ${x.proposalId}) and approved before it ran.\n\n${trailer}`,
        }));
      did.push(
        found
          ? `pull request #${pr.number} already open: ${pr.html_url}`
          : `opened pull request #${pr.number}: ${pr.html_url}`,
      );
      refs.push({ kind: 'pull-request', value: pr.html_url });
      prText = `close pull request #${pr.number} and `;
    }
    const inverse = inverseOf(action, action.kind === 'revert' ? commit : undefined);
    return {
      executor: this.name,
      did,
      undo: {
        text: `before it is merged: ${prText}delete branch ${branch}; once merged and rolled out: ${undoText(action, action.kind === 'revert' ? commit : undefined)}`,
        action: inverse,
      },
      refs,
    };
  }

  async recover(action: ProposalAction, x: ExecutionContext): Promise<RecoverResult> {
    try {
      const report = await this.apply(action, x);
      return {
        state: 'executed',
        report,
        how: 'the branch, its push and its pull request are each made only when missing, so the rest was finished without repeating any',
      };
    } catch (err) {
      return { state: 'unknown', why: `finishing it failed: ${(err as Error).message}` };
    }
  }
}
