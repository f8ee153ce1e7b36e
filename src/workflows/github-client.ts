// A small client of GitHub's REST API for what review delivery needs: check runs (create, then
// update with further annotation batches) and issue comments (list, create, edit). It
// authenticates with a token, or as a GitHub App installation: a JWT signed with the App's key
// (RS256) is exchanged for an installation token, kept until shortly before it expires.
import { createSign } from 'node:crypto';
import type { GithubAnnotation } from '../analysis/index.js';

export type GithubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: number; privateKey: string; installationId: number };

export interface GithubClientOptions {
  /** `https://api.github.com`, or a GitHub Enterprise server's `/api/v3`. */
  apiUrl: string;
  auth: GithubAuth;
  /** One request's limit (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class GithubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const base64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The App's JWT: issued a minute early for clock skew, valid for nine minutes (GitHub allows ten). */
export function appJwt(appId: number, privateKey: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify({ iat: now - 60, exp: now + 540, iss: String(appId) }));
  const sign = createSign('RSA-SHA256');
  sign.update(`${head}.${body}`);
  return `${head}.${body}.${base64url(sign.sign(privateKey))}`;
}

export interface CheckRunOutputBody {
  title: string;
  summary: string;
  annotations: GithubAnnotation[];
}

export class GithubClient {
  private installationToken: { token: string; expiresAt: number } | null = null;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: GithubClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private async bearer(): Promise<string> {
    const a = this.opts.auth;
    if (a.kind === 'token') return a.token;
    if (this.installationToken && this.installationToken.expiresAt - 60_000 > Date.now())
      return this.installationToken.token;
    const res = await this.call<{ token: string; expires_at: string }>(
      'POST',
      `/app/installations/${a.installationId}/access_tokens`,
      undefined,
      appJwt(a.appId, a.privateKey),
    );
    this.installationToken = { token: res.token, expiresAt: Date.parse(res.expires_at) || Date.now() + 3_000_000 };
    return res.token;
  }

  private async call<T>(method: string, path: string, body?: unknown, bearer?: string): Promise<T> {
    const url = `${this.opts.apiUrl.replace(/\/+$/, '')}${path}`;
    const res = await this.fetchImpl(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${bearer ?? (await this.bearer())}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'orrery-review',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // Not JSON: the text as it came.
      }
      throw new GithubError(res.status, `GitHub answered ${res.status} to ${method} ${path}: ${message}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  createCheckRun(
    owner: string,
    repo: string,
    run: { name: string; head_sha: string; conclusion: string; output: CheckRunOutputBody },
  ): Promise<{ id: number }> {
    return this.call('POST', `/repos/${enc(owner)}/${enc(repo)}/check-runs`, {
      ...run,
      status: 'completed',
      completed_at: new Date().toISOString(),
    });
  }

  updateCheckRun(owner: string, repo: string, id: number, output: CheckRunOutputBody): Promise<{ id: number }> {
    return this.call('PATCH', `/repos/${enc(owner)}/${enc(repo)}/check-runs/${id}`, { output });
  }

  /** Every comment of an issue or pull request, page by page (100 a page). */
  async listComments(owner: string, repo: string, issue: number): Promise<Array<{ id: number; body: string }>> {
    const out: Array<{ id: number; body: string }> = [];
    for (let page = 1; page <= 100; page++) {
      const list = await this.call<Array<{ id: number; body?: string | null }>>(
        'GET',
        `/repos/${enc(owner)}/${enc(repo)}/issues/${issue}/comments?per_page=100&page=${page}`,
      );
      for (const c of list) out.push({ id: c.id, body: c.body ?? '' });
      if (list.length < 100) break;
    }
    return out;
  }

  createComment(owner: string, repo: string, issue: number, body: string): Promise<{ id: number }> {
    return this.call('POST', `/repos/${enc(owner)}/${enc(repo)}/issues/${issue}/comments`, { body });
  }

  updateComment(owner: string, repo: string, id: number, body: string): Promise<{ id: number }> {
    return this.call('PATCH', `/repos/${enc(owner)}/${enc(repo)}/issues/comments/${id}`, { body });
  }
}

const enc = encodeURIComponent;
