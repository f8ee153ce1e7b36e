// The MCP tool registry's shape: a tool is one entry (name, description, input schema, the API
// route whose token role it needs, and a run over the workflows). server.ts registers every
// entry with the SDK's McpServer; adding a tool is adding an entry to tools.ts.
import type { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { Context } from '../../workflows/index.js';
import type { Item, ToolAnswer } from './envelope.js';

/** What a tool runs with: the workflows' context, the settings, and who is calling (for audit rows). */
export interface ToolEnv {
  ctx: Context;
  config: Config;
  /** `token:<id>` or `anonymous-loopback`, as the API's audit rows name callers. */
  actor: string;
  /** Where a tool reports a failure of its own (never stdout). */
  logError(err: unknown, tool: string): void;
}

/** The page a caller asked for. */
export interface PageArgs {
  offset: number;
  limit: number;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface ToolDef<S extends AnyObject, D, I extends Item> {
  name: string;
  description: string;
  /** The API route (as roles.ts names it) whose role the tool needs: `POST /api/investigations`. */
  route: string;
  input: S;
  /** Listed only when proposing over MCP is turned on (`--allow-propose`). */
  proposes?: true;
  /** Pages a list (adds `limit` and `cursor` to the input). */
  paged?: true;
  run(env: ToolEnv, args: z.output<S>, page: PageArgs): Promise<ToolAnswer<D, I>>;
}

/** A registry entry with its types erased: what the server iterates over. */
export interface McpTool {
  name: string;
  description: string;
  route: string;
  input: AnyObject;
  proposes: boolean;
  paged: boolean;
  run(env: ToolEnv, args: unknown, page: PageArgs): Promise<ToolAnswer<unknown, Item>>;
}

/** One registry entry; the input has been validated against `input` before `run` is called. */
export function tool<S extends AnyObject, D, I extends Item>(def: ToolDef<S, D, I>): McpTool {
  return {
    name: def.name,
    description: def.description,
    route: def.route,
    input: def.input,
    proposes: def.proposes === true,
    paged: def.paged === true,
    run: (env, args, page) => def.run(env, args as z.output<S>, page),
  };
}

/** A caller's mistake, answered as a tool error with this message (never a crash). */
export class ToolInputError extends Error {}
