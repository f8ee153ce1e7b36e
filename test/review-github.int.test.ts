// Delivering reviews to GitHub against a local server that speaks GitHub's REST shapes and
// limits (test/helpers/fake-github.ts) and records what it receives: one check run whose
// annotations are split into requests of 50; one summary comment, found by its marker and
// edited on the next push, never posted twice, cut to 65,535 characters; a GitHub App's
// installation token from an RS256 JWT; and the pull_request webhook (opened, synchronize)
// verified by X-Hub-Signature-256 — a bad signature answered 401 with nothing stored or sent.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GITHUB_MAX_TEXT, commentMarker } from '../src/analysis/index.js';
import type { Review, ReviewAnnotation } from '../src/model/index.js';
import { GithubClient, deliverReview, reviewChange } from '../src/workflows/index.js';
import { type FakeGithub, fakeGithub } from './helpers/fake-github.js';
import { type ReviewWorld, seedProduction, shopWorld } from './helpers/review-world.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const SECRET = 'webhook-s3cret';
const TOKEN = 'ghp_test_token';

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('review delivery to GitHub', () => {
  let o: InProcess;
  let gh: FakeGithub;
  let w: ReviewWorld;
  let review: Review;

  before(async () => {
    gh = await fakeGithub({ tokens: [TOKEN] });
    o = await inProcessOrrery(
      { githubWebhookSecret: SECRET, githubToken: TOKEN, githubApiUrl: gh.url },
      { allowAnonymousLoopback: false },
    );
    w = await shopWorld(o.ctx);
    const now = new Date();
    await seedProduction(o.store, now);
    const c = w.commit('20');
    review = await reviewChange(o.ctx, { range: `${c.parent}..${c.sha}`, asOf: now });
  });
  after(async () => {
    await o.cleanup();
    await gh.close();
    w.cleanup();
  });

  const client = () => new GithubClient({ apiUrl: gh.url, auth: { kind: 'token', token: TOKEN } });

  it('splits 120 annotations into requests of 50 on one check run, and edits its one comment on the next push', async () => {
    gh.requests.length = 0;
    const many: ReviewAnnotation[] = Array.from({ length: 120 }, (_, i) => ({
      path: 'services/cart/src/server.js',
      startLine: i + 1,
      endLine: i + 1,
      level: 'notice',
      title: `line ${i + 1}`,
      message: 'production runs it',
    }));
    const big: Review = { ...review, annotations: many };
    const pr = { owner: 'acme', repo: 'shop', number: 7, headSha: review.head };
    gh.addComment('acme/shop#7', 'LGTM from a person');
    const first = await deliverReview(client(), big, pr);
    assert.equal(first.annotations, 120);
    assert.equal(first.annotationRequests, 3);
    assert.equal(first.comment, 'created');
    const runs = gh.requests.filter((r) => r.path.includes('/check-runs'));
    assert.deepEqual(
      runs.map((r) => `${r.method} ${(r.body!.output as { annotations: unknown[] }).annotations.length}`),
      ['POST 50', 'PATCH 50', 'PATCH 20'],
    );
    assert.equal(runs[0]!.body!.head_sha, review.head);
    assert.equal(runs[0]!.body!.conclusion, 'action_required');
    assert.equal(gh.checkRuns.get(first.checkRunId)!.output.annotations.length, 120);
    assert.ok(runs.every((r) => r.authorization === `Bearer ${TOKEN}`));

    // The next push: a new check run for the new head, the same comment edited.
    const second = await deliverReview(client(), { ...review, tier: 'medium' }, { ...pr, headSha: w.commit('21').sha });
    assert.equal(second.comment, 'updated');
    assert.equal(second.commentId, first.commentId);
    const posts = gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/7/comments'));
    const edits = gh.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/issues/comments/${first.commentId}`),
    );
    assert.equal(posts.length, 1);
    assert.equal(edits.length, 1);
    const list = gh.comments.get('acme/shop#7')!;
    assert.equal(list.length, 2, "the person's comment and ours");
    assert.ok(list[1]!.body.startsWith(commentMarker()));
    assert.match(list[1]!.body, /\*\*medium\*\* risk/);
  });

  it('cuts the summary and the comment to 65,535 characters', async () => {
    const huge: Review = { ...review, notes: Array.from({ length: 3000 }, (_, i) => `note ${i} ${'x'.repeat(40)}`) };
    const pr = { owner: 'acme', repo: 'shop', number: 8, headSha: review.head };
    const d = await deliverReview(client(), huge, pr);
    const run = gh.checkRuns.get(d.checkRunId)!;
    assert.ok(run.output.summary.length <= GITHUB_MAX_TEXT, String(run.output.summary.length));
    assert.match(run.output.summary, /cut to fit/);
    const c = gh.comments.get('acme/shop#8')![0]!;
    assert.ok(c.body.length <= GITHUB_MAX_TEXT && c.body.startsWith(commentMarker()));
  });

  it('authenticates as a GitHub App installation: an RS256 JWT exchanged for an installation token', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const app = await fakeGithub({
      app: { id: 4242, installationId: 99, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    });
    try {
      const c = new GithubClient({
        apiUrl: app.url,
        auth: { kind: 'app', appId: 4242, privateKey: pem, installationId: 99 },
      });
      await deliverReview(c, review, { owner: 'acme', repo: 'shop', number: 3, headSha: review.head });
      await deliverReview(c, review, { owner: 'acme', repo: 'shop', number: 3, headSha: review.head });
      const exchanges = app.requests.filter((r) => r.path === '/app/installations/99/access_tokens');
      assert.equal(exchanges.length, 1, 'the installation token is kept until it expires');
      const rest = app.requests.filter((r) => !r.path.startsWith('/app/'));
      assert.ok(rest.every((r) => /^Bearer ghs_/.test(r.authorization ?? '')));
      assert.equal(app.comments.get('acme/shop#3')!.length, 1);
      // A key that is not the App's is refused.
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      const wrong = new GithubClient({
        apiUrl: app.url,
        auth: { kind: 'app', appId: 4242, privateKey: other.toString(), installationId: 99 },
      });
      await assert.rejects(
        deliverReview(wrong, review, { owner: 'acme', repo: 'shop', number: 3, headSha: review.head }),
        /GitHub answered 401/,
      );
    } finally {
      await app.close();
    }
  });

  describe('the pull_request webhook', () => {
    const payload = (action: string, base: string, head: string) =>
      JSON.stringify({
        action,
        number: 12,
        pull_request: { number: 12, base: { sha: base }, head: { sha: head } },
        repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' } },
      });
    const post = (body: string, headers: Record<string, string>) =>
      o.server.api.inject({
        method: 'POST',
        url: '/webhooks/github',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers },
      });

    it('answers a bad signature 401 and stores and sends nothing', async () => {
      gh.requests.length = 0;
      const c = w.commit('20');
      const body = payload('opened', c.parent, c.sha);
      const res = await post(body, {
        'x-hub-signature-256': sign(body, 'not-the-secret'),
        'x-github-delivery': 'bad-1',
      });
      assert.equal(res.statusCode, 401, res.body);
      const missing = await post(body, { 'x-github-delivery': 'bad-2' });
      assert.equal(missing.statusCode, 401);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(gh.requests.length, 0);
      const rows = await o.store.db.query('SELECT delivery_id FROM webhook_delivery WHERE delivery_id IN ($1, $2)', [
        'bad-1',
        'bad-2',
      ]);
      assert.equal(rows.length, 0);
    });

    it('reviews opened and synchronize, editing one comment; ignores other actions and repeated deliveries', async () => {
      gh.requests.length = 0;
      const c20 = w.commit('20');
      const opened = payload('opened', c20.parent, c20.sha);
      const res = await post(opened, { 'x-hub-signature-256': sign(opened), 'x-github-delivery': 'pr-1' });
      assert.equal(res.statusCode, 202, res.body);
      const comment = await until('the comment', () => gh.comments.get('acme/shop#12')?.[0]);
      assert.ok(comment.body.startsWith(commentMarker()));
      assert.match(comment.body, /\*\*high\*\* risk/);
      // The latest run on the head (the earlier tests delivered reviews of the same commit).
      const run = [...gh.checkRuns.values()].filter((r) => r.head_sha === c20.sha).at(-1)!;
      assert.equal(run.conclusion, 'action_required');
      assert.ok(
        (run.output.annotations as Array<{ path: string; start_line: number; annotation_level: string }>).some(
          (a) => a.path === 'deploy/k8s/cart.yaml' && a.start_line === 27 && a.annotation_level === 'failure',
        ),
      );

      const again = await post(opened, { 'x-hub-signature-256': sign(opened), 'x-github-delivery': 'pr-1' });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().duplicate, true);

      const c21 = w.commit('21');
      const sync = payload('synchronize', c20.parent, c21.sha);
      const res2 = await post(sync, { 'x-hub-signature-256': sign(sync), 'x-github-delivery': 'pr-2' });
      assert.equal(res2.statusCode, 202);
      await until('the edit', () =>
        gh.requests.find((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/comments/${comment.id}`)),
      );
      await until('the second check run', () => [...gh.checkRuns.values()].find((r) => r.head_sha === c21.sha));
      assert.equal(gh.comments.get('acme/shop#12')!.length, 1);
      assert.equal(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/12/comments')).length, 1);

      const closed = payload('closed', c20.parent, c21.sha);
      const res3 = await post(closed, { 'x-hub-signature-256': sign(closed), 'x-github-delivery': 'pr-3' });
      assert.equal(res3.statusCode, 200);
      assert.match(res3.json().ignored, /closed/);
    });
  });
});
