// Every MCP tool, in the order tools/list shows them. Adding a tool is adding its entry here.
import type { McpTool } from './registry.js';
import { ask, explain } from './tools-answer.js';
import { blastRadius, deployStatus, proposeRemediation, reviewDiff, simulate } from './tools-change.js';
import { getInvestigation, getProblem, investigate, listProblems } from './tools-problems.js';
import { getTrace, ownersFor, search } from './tools-search.js';

export const MCP_TOOLS: readonly McpTool[] = [
  search,
  listProblems,
  getProblem,
  investigate,
  getInvestigation,
  blastRadius,
  simulate,
  reviewDiff,
  deployStatus,
  getTrace,
  ownersFor,
  explain,
  ask,
  proposeRemediation,
];
