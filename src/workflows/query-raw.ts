// Searching the raw event window: the same function behind the API, `orrery query` and the UI.
import type { LogRow, RawFilter, SpanRow } from '../store/index.js';
import type { Context } from './context.js';

export const MAX_QUERY_LIMIT = 10_000;

export function searchLogs(ctx: Pick<Context, 'store'>, filter: RawFilter): Promise<LogRow[]> {
  return ctx.store.queryLogs({ ...filter, limit: Math.min(filter.limit, MAX_QUERY_LIMIT) });
}

export function searchSpans(ctx: Pick<Context, 'store'>, filter: RawFilter): Promise<SpanRow[]> {
  return ctx.store.querySpans({ ...filter, limit: Math.min(filter.limit, MAX_QUERY_LIMIT) });
}
