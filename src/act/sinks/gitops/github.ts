// Pull requests through GitHub's REST API (api.github.com or an Enterprise Server's /api/v3):
// find one for a branch, open one. Only the fields Orrery reads are typed.
import { ExecutorError } from '../../executor.js';

export interface GitHubOptions {
  /** e.g. https://api.github.com */
  apiUrl: string;
  /** owner/name */
  repo: string;
  token: string;
}

export interface PullRequest {
  number: number;
  html_url: string;
  state: string;
}

async function call<T>(o: GitHubOptions, method: string, path: string, body?: unknown): Promise<T> {
  const url = `${o.apiUrl.replace(/\/$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${o.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'orrery-executor',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new ExecutorError(`${method} ${url} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new ExecutorError(`GitHub answered ${res.status} to ${method} ${path}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The pull request (open or closed) whose head is `branch`, or null. */
export async function findPullRequest(o: GitHubOptions, branch: string): Promise<PullRequest | null> {
  const owner = o.repo.split('/')[0];
  const list = await call<PullRequest[]>(
    o,
    'GET',
    `/repos/${o.repo}/pulls?state=all&head=${encodeURIComponent(`${owner}:${branch}`)}`,
  );
  return list[0] ?? null;
}

export async function openPullRequest(
  o: GitHubOptions,
  pr: { title: string; head: string; base: string; body: string },
): Promise<PullRequest> {
  return call<PullRequest>(o, 'POST', `/repos/${o.repo}/pulls`, pr);
}
