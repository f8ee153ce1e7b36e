// `orrery mcp`: Orrery's MCP server on stdio, for coding agents that start a command. Like every
// command but `up`, it is a client of a running Orrery: each tools/list and tools/call is
// forwarded to the server's Streamable HTTP endpoint (/mcp) with ORRERY_TOKEN, so the tools, their
// roles and their answers are the server's own. stdout carries only JSON-RPC; notes go to stderr.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Command } from 'commander';
import { version } from '../version.js';

/** How long a forwarded request may take: an investigation or a simulation on a large world runs for minutes. */
const FORWARD_TIMEOUT_MS = 10 * 60_000;

export interface McpCommandOptions {
  server: string;
  token: string | undefined;
  allowPropose: boolean;
}

/** The refusal or failure of the Orrery server, said so that the agent's user can fix it. */
function explain(err: unknown, url: URL): McpError {
  if (err instanceof McpError) return err;
  if (err instanceof StreamableHTTPError && (err.code === 401 || err.code === 403))
    return new McpError(
      ErrorCode.InvalidRequest,
      `Orrery at ${url.origin} refused the request (${err.code}): set ORRERY_TOKEN to a token with the viewer role or more (orrery token create --name NAME)`,
    );
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return new McpError(
    ErrorCode.InternalError,
    `could not use Orrery at ${url.origin}${cause ? ` (${cause})` : ''}: ${(err as Error).message}. Is it running (orrery up / orrery demo), and is --server right?`,
  );
}

/** Serves MCP on stdin/stdout until stdin ends, forwarding to the server's /mcp. */
export async function serveStdio(opts: McpCommandOptions): Promise<void> {
  const url = new URL('mcp', opts.server.endsWith('/') ? opts.server : `${opts.server}/`);
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.allowPropose) headers['x-orrery-allow-propose'] = '1';

  let remote: Promise<Client> | null = null;
  const connect = (): Promise<Client> => {
    remote ??= (async () => {
      const client = new Client({ name: 'orrery-mcp-stdio', version: version() });
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }), {
        timeout: FORWARD_TIMEOUT_MS,
      });
      return client;
    })().catch((err: unknown) => {
      remote = null; // the next request tries again (the server may start later)
      throw explain(err, url);
    });
    return remote;
  };

  // Requests still being answered when stdin ends are answered before the process exits.
  const inflight = new Set<Promise<unknown>>();
  const forward = <T>(run: () => Promise<T>): Promise<T> => {
    const p = run().catch((err: unknown) => {
      throw explain(err, url);
    });
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    inflight.add(settled);
    void settled.then(() => inflight.delete(settled));
    return p;
  };

  const mcp = new McpServer({ name: 'orrery', version: version() }, { capabilities: { tools: {} } });
  // Forwarded, not registered: the server's registry answers (McpServer's own tool handlers stay unused).
  mcp.server.setRequestHandler(ListToolsRequestSchema, (req) =>
    forward(async () => (await connect()).listTools(req.params, { timeout: FORWARD_TIMEOUT_MS })),
  );
  mcp.server.setRequestHandler(CallToolRequestSchema, (req) =>
    forward(async () => (await connect()).callTool(req.params, undefined, { timeout: FORWARD_TIMEOUT_MS })),
  );

  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    transport.onclose = () => resolve();
  });
  await mcp.connect(transport);
  process.stderr.write(
    `orrery mcp: serving MCP on stdio for ${url.href}${opts.allowPropose ? ' (proposing allowed)' : ''}\n`,
  );
  await closed;
  await Promise.all(inflight);
  await new Promise((r) => setImmediate(r)); // their replies are written after their handlers settle
  await mcp.close();
  if (remote) await (await (remote as Promise<Client>).catch(() => null))?.close();
}

export function registerMcp(program: Command, server: (cmd: Command) => string): void {
  program
    .command('mcp')
    .description("serve Orrery's MCP tools on stdio for a coding agent (forwarded to the server's /mcp)")
    .option('--allow-propose', 'also offer propose_remediation (proposals only: approving is never possible over MCP)')
    .addHelpText(
      'after',
      `
Tools: search, list_problems, get_problem, investigate, get_investigation, blast_radius,
simulate, review_diff, deploy_status, get_trace, owners_for (+ propose_remediation with
--allow-propose). Each needs the token role its API route needs (viewer or operator).
stdout carries only JSON-RPC; notes and errors go to stderr. The same tools are served over
Streamable HTTP at <server>/mcp. Client configuration: docs/mcp.md.

Example (an MCP client's configuration):
  {"command": "npx", "args": ["orrery", "mcp"], "env": {"ORRERY_TOKEN": "<token>"}}`,
    )
    .action(async (flags: { allowPropose?: boolean }, cmd: Command) => {
      await serveStdio({
        server: server(cmd),
        token: process.env.ORRERY_TOKEN || undefined,
        allowPropose: flags.allowPropose === true,
      });
    });
}
