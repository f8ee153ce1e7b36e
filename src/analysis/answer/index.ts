// explain@1 and ask@1: answers about the code and the runtime, each line citing a `file:line`
// or a query. Pure: the workflows read the AnswerWorld, these functions answer over it.
export {
  ASK_ALGORITHM,
  EXPLAIN_ALGORITHM,
  type AnswerWorld,
  type CallsiteFact,
  type CommitFact,
  type DocFact,
  type EndpointRedFact,
  type EnclosingSymbol,
  type ErrorGroupFact,
  type FileFact,
  type ProblemFact,
  type RouteFact,
  type StaticCall,
  type SymbolFact,
  type TicketFact,
  type UnitFact,
  emptyAnswerWorld,
  emptyRuntime,
  refOf,
} from './facts.js';
export {
  type RuntimeEdge,
  type RuntimeGraph,
  type RuntimeLog,
  type RuntimeNode,
  buildRuntimeGraph,
  endpointName,
} from './runtime-graph.js';
export { normalizeRoute, splitEndpoint } from './link.js';
export { type TargetResolution, editDistance, nearestNames, resolveTarget, targetSpelling } from './target.js';
export { type ExplainSubject, buildExplain, templateRegex } from './explain.js';
export { staticCallsOf } from './static-calls.js';
export { type ParsedQuestion, parseQuestion } from './question.js';
export { type EntityIndex, buildEntityIndex, findEntities } from './entities.js';
export { type AskInput, buildAsk } from './ask.js';
export { askMarkdown, explainMarkdown, lineMarkdown } from './render.js';
export { ANSWER_PROMPT_MAX_LINES, answerMessages, checkAnswerText } from './llm.js';
