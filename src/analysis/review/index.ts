// review@1, a pull request's review with production context: what reaches each changed symbol
// (reach), the manifests' setting changes and what production measured for them (config), the
// risk rules (rules), the whole review (build), and its Markdown, SARIF and GitHub forms.
export { type ReachInput, type SymbolReach, reachOfChanged } from './reach.js';
export {
  type EdgeStat,
  type EndpointStat,
  type LinkedResource,
  type Production,
  configChanges,
  measureConfig,
} from './config.js';
export { RULES, assess } from './rules.js';
export { type ReadPathChange, type ReadPathInput, readPathChanges, writesKey } from './read-paths.js';
export { type RemoteCallInput, type RemoteLoopCall, remoteCallsInLoops } from './remote-calls.js';
export { REVIEW_ALGORITHM, type ReviewChangedFacts, type ReviewFacts, buildReview } from './build.js';
export { reviewMarkdown } from './render.js';
export { SARIF_SCHEMA, type SarifLog, reviewSarif } from './sarif.js';
export {
  CHECK_RUN_NAME,
  GITHUB_MAX_ANNOTATIONS,
  GITHUB_MAX_TEXT,
  type CheckRunPlan,
  type GithubAnnotation,
  checkRunPlan,
  commentBody,
  commentMarker,
} from './github.js';
