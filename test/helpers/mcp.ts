// MCP clients for tests: the SDK's real Client over Streamable HTTP (against a listening
// Orrery) and over stdio (spawning `orrery mcp` from source), and the envelope a tool answers.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Envelope, Item } from '../../src/server/mcp/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A child started through tsx on a host shared by several sessions can take minutes to answer its first request. */
const SLOW = { timeout: 300_000 };

export async function httpClient(api: string, token?: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'orrery-test', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', api), {
      requestInit: { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } },
    }),
  );
  return client;
}

/** `orrery mcp` from source as a child process, its stderr collected. */
export async function stdioClient(
  api: string,
  opts: { token?: string; args?: string[] } = {},
): Promise<{ client: Client; stderr: () => string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ORRERY_')) env[k] = v;
  if (opts.token) env.ORRERY_TOKEN = opts.token;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', '--server', api, 'mcp', ...(opts.args ?? [])],
    cwd: ROOT,
    env,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d) => {
    err += d;
  });
  const client = new Client({ name: 'orrery-test', version: '0' });
  await client.connect(transport, SLOW);
  return { client, stderr: () => err };
}

/**
 * Spawns `orrery mcp`, writes JSON-RPC lines to it, closes its stdin once `replies` lines are out
 * (or after `waitMs`), and returns its raw stdout and stderr when it has exited.
 */
export function rawStdio(
  api: string,
  lines: unknown[],
  replies: number,
  waitMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ORRERY_')) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--server', api, 'mcp'], {
      cwd: ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    const ender = setTimeout(() => child.stdin.end(), waitMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.split('\n').filter((l) => l !== '').length >= replies) {
        clearTimeout(ender);
        child.stdin.end();
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    const killer = setTimeout(() => child.kill('SIGKILL'), waitMs + 30_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ stdout, stderr, code });
    });
    for (const l of lines) child.stdin.write(`${JSON.stringify(l)}\n`);
  });
}

export interface CallResult {
  isError: boolean;
  text: string;
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallResult> {
  const r = (await client.callTool({ name, arguments: args }, undefined, SLOW)) as {
    isError?: boolean;
    content: Array<{ type: string; text?: string }>;
  };
  return { isError: r.isError === true, text: r.content.map((c) => c.text ?? '').join('') };
}

/** A tool's answer, which must be a success: the envelope. */
export async function answer<D = unknown, I extends Item = Item & Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Envelope<D, I>> {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} ${JSON.stringify(args)}: ${r.text}`);
  return JSON.parse(r.text) as Envelope<D, I>;
}
