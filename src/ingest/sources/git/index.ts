// The git source: commits, trees, blobs and blame from the git CLI, and the tree-sitter
// parsers that turn a file into symbols, log call sites and routes.
export { GitError, checkDirectory } from './git-cli.js';
export type { GitErrorKind } from './git-cli.js';
export { openRepository, headCommit, commitExists } from './repo.js';
export type { RepositoryHead } from './repo.js';
export { readLog, parseLog, LOG_FORMAT } from './log.js';
export type { GitCommit, GitFileChange, LogRange } from './log.js';
export { listTree, parseTreeEntry } from './tree.js';
export type { TreeEntry } from './tree.js';
export { readBlobs, parseBatch } from './blobs.js';
export type { Blob } from './blobs.js';
export { blameRange, parseBlamePorcelain } from './blame.js';
export { commitPatch } from './patch.js';
export { diffZeroContext, firstParent, grepFiles, resolveCommit } from './diff.js';
export type { CommitPatch } from './patch.js';
export type { BlameLine, BlameOptions } from './blame.js';
export { MAX_FILE_BYTES, countLines, skipAfterReading, skipBeforeReading } from './skip.js';
export type { SkipReason } from './skip.js';
export { countCommits } from './count.js';
export { ParsePoolError, defaultParseWorkers, openParsePool } from './parse-pool.js';
export type { ParsePool } from './parse-pool.js';
export { loadCodeParsers } from './grammars.js';
export type { CodeParsers } from './grammars.js';
