// The CLI's HTTP client for Orrery's API: every command except `up` and offline ones goes
// through here, so a command works the same against a local or a remote server.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Exit codes, documented in docs/cli.md. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unreachable: 3, auth: 4 } as const;

export interface ClientOptions {
  server: string;
  token?: string;
}

export class ApiClient {
  constructor(private readonly opts: ClientOptions) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.opts.server.endsWith('/') ? this.opts.server : `${this.opts.server}/`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `could not reach Orrery at ${this.opts.server} (${cause?.code ?? cause?.message ?? (err as Error).message}).\n` +
          'Is `orrery up` running? Point at another server with --server or ORRERY_SERVER.',
        EXIT.unreachable,
      );
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { message: text };
    }
    if (!res.ok) {
      const message = (data as { message?: string }).message ?? res.statusText;
      if (res.status === 401) {
        throw new CliError(`${message}\nSet ORRERY_TOKEN to a token from \`orrery token create\`.`, EXIT.auth);
      }
      throw new CliError(`the server answered ${res.status}: ${message}`, res.status < 500 ? EXIT.usage : EXIT.failure);
    }
    return data as T;
  }
}

/** What each command gets from the global options. */
export interface GlobalOptions {
  api: ApiClient;
}
