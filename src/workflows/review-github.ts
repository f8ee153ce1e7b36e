// Delivering a review to a GitHub pull request: one check run on the head commit whose
// annotations go in batches of 50 (the first with the run's creation, the rest as updates of
// it), and one summary comment, found on every later push by its hidden marker and edited in
// place, never posted again. Also the `pull_request` webhook's work: for `opened` and
// `synchronize`, review base..head of the indexed repository and deliver it.
import { checkRunPlan, commentBody, commentMarker } from '../analysis/index.js';
import type { Config } from '../config/index.js';
import type { Review } from '../model/index.js';
import { codeStore, ticketStore } from '../store/index.js';
import type { Context } from './context.js';
import { type GithubAuth, GithubClient } from './github-client.js';
import { reviewChange } from './review.js';

export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

export interface Delivery {
  checkRunId: number;
  annotations: number;
  /** Requests that carried annotations (create, then updates). */
  annotationRequests: number;
  commentId: number;
  comment: 'created' | 'updated';
}

export async function deliverReview(gh: GithubClient, review: Review, pr: PullRequestTarget): Promise<Delivery> {
  const plan = checkRunPlan(review, pr.headSha);
  const [first, ...rest] = plan.outputs;
  const run = await gh.createCheckRun(pr.owner, pr.repo, {
    name: plan.name,
    head_sha: plan.head_sha,
    conclusion: plan.conclusion,
    output: first!,
  });
  for (const output of rest) await gh.updateCheckRun(pr.owner, pr.repo, run.id, output);

  const body = commentBody(review);
  const marker = commentMarker();
  const mine = (await gh.listComments(pr.owner, pr.repo, pr.number)).find((c) => c.body.startsWith(marker));
  const comment = mine
    ? await gh.updateComment(pr.owner, pr.repo, mine.id, body)
    : await gh.createComment(pr.owner, pr.repo, pr.number, body);
  return {
    checkRunId: run.id,
    annotations: plan.outputs.reduce((a, o) => a + o.annotations.length, 0),
    annotationRequests: plan.outputs.length,
    commentId: comment.id,
    comment: mine ? 'updated' : 'created',
  };
}

export class GithubConfigError extends Error {}

/** The configured way to authenticate (a token, or the App with the delivery's installation); null when none is configured. */
export function githubAuth(
  config: Pick<Config, 'githubToken' | 'githubAppId' | 'githubAppPrivateKey' | 'githubInstallationId'>,
  installationId?: number | null,
): GithubAuth | null {
  if (config.githubAppId !== undefined && config.githubAppPrivateKey !== undefined) {
    const id = installationId ?? config.githubInstallationId;
    if (id === undefined || id === null)
      throw new GithubConfigError(
        'ORRERY_GITHUB_APP_ID is set but no installation is known: set ORRERY_GITHUB_INSTALLATION_ID or deliver from an App webhook',
      );
    return { kind: 'app', appId: config.githubAppId, privateKey: config.githubAppPrivateKey, installationId: id };
  }
  if (config.githubToken !== undefined) return { kind: 'token', token: config.githubToken };
  return null;
}

/** What a `pull_request` delivery asks for, or why it is ignored. */
export type PullRequestEvent =
  | {
      kind: 'review';
      target: PullRequestTarget;
      base: string;
      /** `owner/name` and `name`, to find the indexed repository. */
      fullName: string;
      name: string;
      installationId: number | null;
    }
  | { kind: 'ignored'; reason: string };

const SHA = /^[0-9a-f]{40}$/;

/** Reads a `pull_request` payload: `opened` and `synchronize` are reviewed; other actions are ignored. */
export function pullRequestEvent(body: unknown): PullRequestEvent {
  const b = body as {
    action?: unknown;
    number?: unknown;
    pull_request?: { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown } };
    repository?: { name?: unknown; full_name?: unknown; owner?: { login?: unknown } };
    installation?: { id?: unknown };
  };
  if (b?.action !== 'opened' && b?.action !== 'synchronize')
    return {
      kind: 'ignored',
      reason: `action ${JSON.stringify(b?.action)} is not reviewed (opened and synchronize are)`,
    };
  const number = b.pull_request?.number ?? b.number;
  const base = b.pull_request?.base?.sha;
  const head = b.pull_request?.head?.sha;
  const name = b.repository?.name;
  const fullName = b.repository?.full_name;
  const owner = b.repository?.owner?.login;
  if (
    typeof number !== 'number' ||
    typeof base !== 'string' ||
    typeof head !== 'string' ||
    !SHA.test(base) ||
    !SHA.test(head) ||
    typeof name !== 'string' ||
    typeof fullName !== 'string' ||
    typeof owner !== 'string'
  )
    return {
      kind: 'ignored',
      reason: 'the payload lacks pull_request.number, base.sha, head.sha or repository.name/full_name/owner',
    };
  const installationId = typeof b.installation?.id === 'number' ? b.installation.id : null;
  return { kind: 'review', target: { owner, repo: name, number, headSha: head }, base, fullName, name, installationId };
}

/** The indexed repository a pull request belongs to: one named like the GitHub repository (`name` or `owner-name`). */
async function indexedRepository(ctx: Pick<Context, 'store'>, e: Extract<PullRequestEvent, { kind: 'review' }>) {
  const repos = await codeStore.listRepositories(ctx.store.db);
  const wanted = [e.name, e.fullName.replace('/', '-'), e.fullName].map((s) => s.toLowerCase());
  return repos.find((r) => wanted.includes(r.name.toLowerCase())) ?? null;
}

/** Reviews a pull request's base..head as of now and delivers the review. */
export async function reviewPullRequest(
  ctx: Pick<Context, 'store'>,
  config: Pick<Config, 'githubApiUrl' | 'githubToken' | 'githubAppId' | 'githubAppPrivateKey' | 'githubInstallationId'>,
  e: Extract<PullRequestEvent, { kind: 'review' }>,
  opts: { now?: Date; fetch?: typeof fetch } = {},
): Promise<{ review: Review; delivery: Delivery }> {
  const auth = githubAuth(config, e.installationId);
  if (auth === null)
    throw new GithubConfigError(
      'no GitHub credentials: set ORRERY_GITHUB_TOKEN, or ORRERY_GITHUB_APP_ID and ORRERY_GITHUB_APP_PRIVATE_KEY',
    );
  const repo = await indexedRepository(ctx, e);
  if (!repo)
    throw new GithubConfigError(
      `no indexed repository is named ${e.name} (or ${e.fullName}): add it with \`orrery repo add\``,
    );
  const review = await reviewChange(
    ctx,
    { range: `${e.base}..${e.target.headSha}`, repository: repo.name, asOf: opts.now ?? new Date() },
    { now: opts.now },
  );
  const gh = new GithubClient({ apiUrl: config.githubApiUrl, auth, fetch: opts.fetch });
  return { review, delivery: await deliverReview(gh, review, e.target) };
}

/** One review at a time per pull request, in arrival order, so two quick pushes never both post a comment. */
const chains = new Map<string, Promise<unknown>>();

export interface PullRequestDeliveryOptions {
  /** Called with each background review's outcome (the server logs it; tests wait on it). */
  onDone?: (outcome: { ok: true; delivery: Delivery } | { ok: false; error: Error }) => void;
  now?: Date;
  fetch?: typeof fetch;
}

/**
 * A verified `pull_request` delivery: ignored actions and repeated delivery ids are answered at
 * once; a review is queued behind the pull request's earlier one and answered 202 (GitHub waits
 * ten seconds for an answer, a review can take longer).
 */
export async function acceptPullRequestDelivery(
  ctx: Pick<Context, 'store'>,
  config: Parameters<typeof reviewPullRequest>[1],
  deliveryId: string | null,
  body: unknown,
  opts: PullRequestDeliveryOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const e = pullRequestEvent(body);
  if (e.kind === 'ignored') return { status: 200, body: { ignored: e.reason } };
  if (deliveryId && !(await ticketStore.recordDelivery(ctx.store.db, 'github-pull-request', deliveryId)))
    return { status: 200, body: { duplicate: true, delivery: deliveryId } };
  const key = `${e.fullName}#${e.target.number}`;
  const run = (chains.get(key) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => reviewPullRequest(ctx, config, e, { now: opts.now, fetch: opts.fetch }))
    .then(
      (r) => opts.onDone?.({ ok: true, delivery: r.delivery }),
      (err: Error) => opts.onDone?.({ ok: false, error: err }),
    )
    // A failing callback must not become an unhandled rejection of the server process.
    .catch(() => undefined);
  chains.set(key, run);
  void run.finally(() => {
    if (chains.get(key) === run) chains.delete(key);
  });
  return { status: 202, body: { queued: key, head: e.target.headSha } };
}
