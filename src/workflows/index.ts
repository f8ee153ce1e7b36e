// Workflows: what Orrery does, called alike by the server, the CLI, the web UI and MCP.
export type { Context } from './context.js';
export { ingestOtlp } from './ingest-otlp.js';
export type { IngestResult } from './ingest-otlp.js';
export { searchLogs, searchSpans, MAX_QUERY_LIMIT } from './query-raw.js';
