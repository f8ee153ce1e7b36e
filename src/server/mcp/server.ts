// One MCP server (the SDK's McpServer) over the tool registry, for one caller: the tools it
// lists (proposing only when the caller turned it on), each call checked for the token role
// its API route needs (roles.ts), run, and answered as one budgeted envelope.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { unstorableTextAt } from '../../ingest/transforms/index.js';
import type { ApiToken } from '../../model/index.js';
import type { Context } from '../../workflows/index.js';
import { requiredRole, roleRefusal } from '../roles.js';
import { CursorError, DEFAULT_PAGE, MAX_PAGE, MCP_TEXT_BUDGET, decodeCursor, envelope } from './envelope.js';
import { type McpTool, ToolInputError } from './registry.js';
import { MCP_TOOLS } from './tools.js';

export interface McpCaller {
  /** The request's verified token; null for an anonymous loopback caller (who acts as admin, as in the API). */
  token: ApiToken | null;
  /** List and allow propose_remediation (`orrery mcp --allow-propose`, header X-Orrery-Allow-Propose). */
  allowPropose: boolean;
}

export interface McpServerOptions {
  ctx: Context;
  config: Config;
  version: string;
  caller: McpCaller;
  /** Where tool failures are reported (the server's logger; never stdout). */
  logError(err: unknown, tool: string): void;
  tools?: readonly McpTool[];
}

export const MCP_INSTRUCTIONS = `Orrery: production context (telemetry, code, deploys, tickets). Each tool answers one JSON text: summary, data, items, page {total, returned, cursor}, evidence ids, API links, and what was cut to stay under ${MCP_TEXT_BUDGET} characters. Pass page.cursor back for more.`;

const paging = {
  limit: z.number().int().min(1).max(MAX_PAGE).optional().describe(`items per page (default ${DEFAULT_PAGE})`),
  cursor: z.string().max(200).optional().describe('page.cursor of the previous answer'),
};

/** The tools a caller sees. */
export function toolsFor(caller: Pick<McpCaller, 'allowPropose'>, tools: readonly McpTool[] = MCP_TOOLS): McpTool[] {
  return tools.filter((t) => caller.allowPropose || !t.proposes);
}

const textResult = (text: string, isError = false) => ({
  content: [{ type: 'text' as const, text }],
  ...(isError ? { isError: true } : {}),
});

export function buildMcpServer(opts: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'orrery', version: opts.version },
    { capabilities: { tools: {} }, instructions: MCP_INSTRUCTIONS },
  );
  const actor = opts.caller.token ? `token:${opts.caller.token.id}` : 'anonymous-loopback';
  for (const t of toolsFor(opts.caller, opts.tools)) {
    const [method, path] = t.route.split(' ') as [string, string];
    const need = requiredRole(method, path);
    server.registerTool(
      t.name,
      {
        description: t.description,
        inputSchema: t.paged ? t.input.safeExtend(paging) : t.input,
        annotations: { readOnlyHint: method === 'GET', destructiveHint: false },
      },
      async (args: Record<string, unknown>) => {
        const bad = unstorableTextAt(args);
        if (bad) return textResult(`${bad.path || '(arguments)'}: ${bad.problem}`, true);
        const refused = opts.caller.token ? roleRefusal(opts.caller.token, need) : null;
        if (refused) return textResult(`refused: ${refused}`, true);
        const { limit, cursor, ...rest } = args as { limit?: number; cursor?: string };
        try {
          const page = { offset: decodeCursor(cursor), limit: limit ?? DEFAULT_PAGE };
          const answer = await t.run(
            { ctx: opts.ctx, config: opts.config, actor, logError: opts.logError },
            t.paged ? rest : args,
            page,
          );
          return textResult(envelope(answer, page));
        } catch (err) {
          if (err instanceof ToolInputError || err instanceof CursorError) return textResult(err.message, true);
          opts.logError(err, t.name);
          return textResult(`${t.name} failed: internal error; see the server log`, true);
        }
      },
    );
  }
  return server;
}
