// MCP over Streamable HTTP at /mcp on the API port, inside the API's authenticated context: the
// same Bearer tokens and loopback rule as /api (401 without a token where the API needs one),
// the API's body limit and request guard. Stateless: each POST builds a server for its caller
// (its token's role decides what each tool may do) and answers as JSON; GET and DELETE, which
// serve sessions and server-sent streams, are 405.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { tokenOf } from '../auth.js';
import type { RouteOptions } from '../route-options.js';

/** The SDK and the tools load on the first MCP request, so that `orrery up` starts no slower for them. */
const load = async () => {
  const [{ StreamableHTTPServerTransport }, { buildMcpServer }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('./server.js'),
  ]);
  return { StreamableHTTPServerTransport, buildMcpServer };
};
let loaded: ReturnType<typeof load> | null = null;

/** The header an HTTP client sets (to 1 or true) to be offered propose_remediation. */
export const ALLOW_PROPOSE_HEADER = 'x-orrery-allow-propose';

export interface McpRouteOptions extends RouteOptions {
  version: string;
}

const notAllowed = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC requests' },
  id: null,
};

export async function mcpRoutes(app: FastifyInstance, opts: McpRouteOptions): Promise<void> {
  app.post('/mcp', async (req, reply) => {
    loaded ??= load();
    const { StreamableHTTPServerTransport, buildMcpServer } = await loaded;
    const flag = String(req.headers[ALLOW_PROPOSE_HEADER] ?? '').toLowerCase();
    const server = buildMcpServer({
      ctx: opts.ctx,
      config: opts.config,
      version: opts.version,
      caller: { token: tokenOf(req), allowPropose: flag === '1' || flag === 'true' },
      logError: (err, tool) => req.log.error({ err, tool }, 'MCP tool failed'),
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (err) {
      req.log.error({ err }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32603, message: 'internal error; see the server log' },
            id: null,
          }),
        );
      }
    }
  });
  const refuse = async (_req: unknown, reply: FastifyReply) => reply.code(405).header('allow', 'POST').send(notAllowed);
  app.get('/mcp', refuse);
  app.delete('/mcp', refuse);
}
