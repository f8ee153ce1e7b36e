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

/**
 * Exit codes, documented in docs/cli.md. `regressed` and `inconclusive` are `deploy verify`'s
 * verdicts (0 is healthy); that command reports an auth failure as `failure`, so that its 4
 * always means a regressed deploy to the pipeline gating a rollout on it.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unreachable: 3,
  auth: 4,
  regressed: 4,
  inconclusive: 5,
  auditBroken: 6,
} as const;

export interface ClientOptions {
  server: string;
  token?: string;
}

export class ApiClient {
  constructor(private readonly opts: ClientOptions) {}

  get server(): string {
    return this.opts.server;
  }

  /**
   * Sends a request and returns the response when it is OK. A connection failure or an error
   * status becomes a CliError with the right exit code and a hint, the same for every command.
   */
  async send(
    method: string,
    path: string,
    init: { body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = new URL(path, this.opts.server.endsWith('/') ? this.opts.server : `${this.opts.server}/`);
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      // duplex is needed when the body is a stream (an upload with progress).
      res = await fetch(url, { method, headers, body: init.body, duplex: 'half' } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `could not reach Orrery at ${this.opts.server} (${cause?.code ?? cause?.message ?? (err as Error).message}).\n` +
          'Is `orrery up` running? Point at another server with --server or ORRERY_SERVER.',
        EXIT.unreachable,
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let message = res.statusText;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      if (text) message = text;
    }
    if (res.status === 401) {
      throw new CliError(`${message}\nSet ORRERY_TOKEN to a token from \`orrery token create\`.`, EXIT.auth);
    }
    throw new CliError(`the server answered ${res.status}: ${message}`, exitForStatus(res.status));
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new CliError(`the server sent a reply that is not JSON: ${text.slice(0, 200)}`, EXIT.failure);
    }
  }

  /**
   * Asks for NDJSON (progress events while long work runs) and yields each line parsed; a
   * server that answers with plain JSON yields that one value.
   */
  async *lines(
    method: string,
    path: string,
    init: { body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): AsyncGenerator<unknown> {
    const res = await this.send(method, path, {
      ...init,
      headers: { accept: 'application/x-ndjson, application/json', ...init.headers },
    });
    if (!(res.headers.get('content-type') ?? '').includes('ndjson')) {
      yield await res.json();
      return;
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) yield JSON.parse(line);
        nl = buffered.indexOf('\n');
      }
    }
    if (buffered.trim()) yield JSON.parse(buffered);
  }
}

/** A server error status as a CLI exit code: 401 auth, other 4xx usage, 5xx failure. */
export function exitForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  return status < 500 ? EXIT.usage : EXIT.failure;
}

/** What each command gets from the global options. */
export interface GlobalOptions {
  api: ApiClient;
}
