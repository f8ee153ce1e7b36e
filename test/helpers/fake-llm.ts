// A fake OpenAI-compatible chat completions server on loopback that speaks the real wire
// format (POST /v1/chat/completions; anything else a 404 in OpenAI's error shape). Each request
// is recorded; `reply` answers it and may be swapped per test.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Reply = (seen: Seen, res: ServerResponse) => void;

export function completion(content: string | null, model = 'gpt-4o-mini-2024-07-18', finish = 'stop'): string {
  return JSON.stringify({
    id: 'chatcmpl-Abc123',
    object: 'chat.completion',
    created: 1764005000,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finish },
    ],
    usage: { prompt_tokens: 812, completion_tokens: 64, total_tokens: 876 },
    system_fingerprint: 'fp_0aa8d3e20b',
  });
}

export function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

export interface FakeLlm {
  server: Server;
  /** The API base, `http://127.0.0.1:<port>/v1`. */
  base: string;
  seen: Seen[];
  reply: Reply;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const fake: FakeLlm = {
    server: undefined as unknown as Server,
    base: '',
    seen: [],
    reply: (_s, res) => send(res, 500, '{}'),
    async close() {
      fake.server.closeAllConnections();
      await new Promise((ok) => fake.server.close(ok));
    },
  };
  fake.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept raw; the test that cares fails on it
      }
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      fake.seen.push(s);
      if (s.method !== 'POST' || new URL(s.url, 'http://x').pathname !== '/v1/chat/completions') {
        send(
          res,
          404,
          JSON.stringify({
            error: {
              message: `Unknown request URL: ${s.method} ${s.url}`,
              type: 'invalid_request_error',
              code: 'unknown_url',
            },
          }),
        );
        return;
      }
      fake.reply(s, res);
    });
  });
  await new Promise<void>((ok) => fake.server.listen(0, '127.0.0.1', ok));
  fake.base = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  return fake;
}
