// The MCP server's public surface: the /mcp routes, the tool registry and the response budget.
export { mcpRoutes, ALLOW_PROPOSE_HEADER } from './routes.js';
export type { McpRouteOptions } from './routes.js';
export { buildMcpServer, toolsFor, MCP_INSTRUCTIONS } from './server.js';
export type { McpCaller, McpServerOptions } from './server.js';
export { MCP_TOOLS } from './tools.js';
export { MCP_TEXT_BUDGET, DEFAULT_PAGE, MAX_PAGE, envelope, encodeCursor, decodeCursor } from './envelope.js';
export type { Envelope, Item, Page, ToolAnswer } from './envelope.js';
export type { McpTool, ToolEnv } from './registry.js';
