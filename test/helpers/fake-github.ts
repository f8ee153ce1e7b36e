// A local HTTP server speaking the GitHub REST endpoints review delivery uses, with their
// request and response shapes and limits, recording every request it receives: check runs
// (create, update; at most 50 annotations a request and 65,535 characters of summary, else
// 422 as GitHub answers), issue comments (list with per_page/page, create, edit), and a GitHub
// App's installation tokens (the JWT's RS256 signature checked with the App's public key).
// Nothing leaves the machine: it listens on 127.0.0.1.
import { createVerify, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: Record<string, unknown> | null;
}

interface CheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; annotations: unknown[] };
}

export interface FakeGithub {
  url: string;
  requests: Recorded[];
  checkRuns: Map<number, CheckRun>;
  /** Comments per `owner/repo#number`. */
  comments: Map<string, Array<{ id: number; body: string }>>;
  /** Adds someone else's comment, as a person on the pull request would. */
  addComment(key: string, body: string): void;
  close(): Promise<void>;
}

export interface FakeGithubOptions {
  /** Personal or installation tokens accepted as `Authorization: Bearer`. */
  tokens?: string[];
  /** A GitHub App whose JWTs are accepted on /app/installations/:id/access_tokens. */
  app?: { id: number; publicKey: string; installationId: number };
}

const MAX_ANNOTATIONS = 50;
const MAX_SUMMARY = 65_535;
const MAX_COMMENT = 65_536;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return null;
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

function jwtOk(jwt: string, app: NonNullable<FakeGithubOptions['app']>): boolean {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return false;
  const verify = createVerify('RSA-SHA256');
  verify.update(`${h}.${p}`);
  if (!verify.verify(app.publicKey, Buffer.from(s, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss: string; iat: number; exp: number };
  const now = Date.now() / 1000;
  return claims.iss === String(app.id) && claims.iat <= now && claims.exp > now && claims.exp - claims.iat <= 600;
}

/** GitHub's 422 for an output over its limits. */
function outputProblem(output: unknown): string | null {
  const o = output as { title?: unknown; summary?: unknown; annotations?: unknown[] } | undefined;
  if (!o) return null;
  if (typeof o.title !== 'string' || typeof o.summary !== 'string') return 'output needs a title and a summary';
  if (o.summary.length > MAX_SUMMARY) return `output.summary is too long (maximum is ${MAX_SUMMARY} characters)`;
  const list = o.annotations ?? [];
  if (list.length > MAX_ANNOTATIONS) return `Only ${MAX_ANNOTATIONS} annotations are allowed per request`;
  for (const a of list as Array<Record<string, unknown>>) {
    if (typeof a.path !== 'string' || typeof a.start_line !== 'number' || typeof a.end_line !== 'number')
      return 'an annotation needs path, start_line and end_line';
    if (!['notice', 'warning', 'failure'].includes(a.annotation_level as string))
      return 'annotation_level must be notice, warning or failure';
    if (typeof a.message !== 'string') return 'an annotation needs a message';
  }
  return null;
}

export async function fakeGithub(opts: FakeGithubOptions = {}): Promise<FakeGithub> {
  const tokens = new Set(opts.tokens ?? []);
  const requests: Recorded[] = [];
  const checkRuns = new Map<number, CheckRun>();
  const comments = new Map<string, Array<{ id: number; body: string }>>();
  let nextId = 1000;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readJson(req);
    const authorization = req.headers.authorization ?? null;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization,
      body,
    });
    const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? null;
    if (req.headers.accept !== 'application/vnd.github+json')
      return send(res, 415, { message: 'Accept must be application/vnd.github+json' });

    let m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (m && req.method === 'POST') {
      if (!opts.app || Number(m[1]) !== opts.app.installationId || !bearer || !jwtOk(bearer, opts.app))
        return send(res, 401, { message: 'A JSON web token could not be decoded' });
      const token = `ghs_${randomBytes(12).toString('hex')}`;
      tokens.add(token);
      return send(res, 201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    }
    if (!bearer || !tokens.has(bearer)) return send(res, 401, { message: 'Bad credentials' });

    m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(url.pathname);
    if (m && req.method === 'POST') {
      if (typeof body?.name !== 'string' || !/^[0-9a-f]{40}$/.test(String(body?.head_sha)))
        return send(res, 422, { message: 'name and head_sha are required' });
      if (body.status === 'completed' && typeof body.conclusion !== 'string')
        return send(res, 422, { message: 'conclusion is required when status is completed' });
      const problem = outputProblem(body.output);
      if (problem) return send(res, 422, { message: problem });
      const id = nextId++;
      const out = body.output as CheckRun['output'];
      const run: CheckRun = {
        id,
        head_sha: body.head_sha as string,
        name: body.name as string,
        status: String(body.status ?? 'queued'),
        conclusion: (body.conclusion as string | undefined) ?? null,
        output: { title: out.title, summary: out.summary, annotations: [...(out.annotations ?? [])] },
      };
      checkRuns.set(id, run);
      return send(res, 201, {
        id,
        head_sha: run.head_sha,
        name: run.name,
        status: run.status,
        conclusion: run.conclusion,
        output: { title: out.title, summary: out.summary, annotations_count: run.output.annotations.length },
      });
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/.exec(url.pathname);
    if (m && req.method === 'PATCH') {
      const run = checkRuns.get(Number(m[3]));
      if (!run) return send(res, 404, { message: 'Not Found' });
      const problem = outputProblem(body?.output);
      if (problem) return send(res, 422, { message: problem });
      const out = body!.output as CheckRun['output'];
      // GitHub appends annotations across updates of one run.
      run.output = {
        title: out.title,
        summary: out.summary,
        annotations: [...run.output.annotations, ...(out.annotations ?? [])],
      };
      return send(res, 200, { id: run.id, output: { annotations_count: run.output.annotations.length } });
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (m) {
      const key = `${m[1]}/${m[2]}#${m[3]}`;
      const list = comments.get(key) ?? [];
      if (req.method === 'GET') {
        const per = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        return send(
          res,
          200,
          list.slice((page - 1) * per, page * per).map((c) => ({ id: c.id, body: c.body, user: { login: 'someone' } })),
        );
      }
      if (req.method === 'POST') {
        if (typeof body?.body !== 'string') return send(res, 422, { message: 'body is required' });
        if (body.body.length > MAX_COMMENT)
          return send(res, 422, { message: 'Body is too long (maximum is 65536 characters)' });
        const c = { id: nextId++, body: body.body };
        comments.set(key, [...list, c]);
        return send(res, 201, { id: c.id, body: c.body });
      }
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (m && req.method === 'PATCH') {
      const c = [...comments.values()].flat().find((x) => x.id === Number(m![3]));
      if (!c) return send(res, 404, { message: 'Not Found' });
      if (typeof body?.body !== 'string' || body.body.length > MAX_COMMENT)
        return send(res, 422, { message: 'body is required, at most 65536 characters' });
      c.body = body.body;
      return send(res, 200, { id: c.id, body: c.body });
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { message: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    checkRuns,
    comments,
    addComment(key, text) {
      comments.set(key, [...(comments.get(key) ?? []), { id: nextId++, body: text }]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
