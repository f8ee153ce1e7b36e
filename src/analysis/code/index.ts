// Code analysis: what a source file defines, logs and routes (from tree-sitter trees),
// who owns a path (CODEOWNERS) and which service a path belongs to.
export type {
  CodeLanguage,
  ExtractedCallsite,
  ExtractedGrpcImpl,
  ExtractedRoute,
  ExtractedSymbol,
  FileExtraction,
  SymbolKind,
} from './types.js';
export { UNPARSED_REASON, languageOf, unparsedLanguageOf } from './language.js';
export { type ProtoFile, type ProtoRpc, ProtoSyntaxError, parseProto } from './proto.js';
export {
  GRPC_LINK_ALGORITHM,
  type LinkFile,
  type LinkRpc,
  type LinkSymbol,
  type RpcLink,
  linkRpcs,
  rpcOfSpan,
  sameRpcName,
} from './grpc-link.js';
export { type CodeQueries, compileQueries } from './queries.js';
export { CODE_EXTRACTION_ALGORITHM, extractFromTree } from './extract.js';
export { toTemplate } from './log-template.js';
export { stringValue } from './message.js';
export { type CodeownerRule, codeownersRegex, ownersOf, parseCodeowners } from './codeowners.js';
export {
  type ServiceMapInput,
  type ServicePath,
  inferServicePaths,
  normalizeServiceName,
  serviceOf,
} from './service-map.js';
