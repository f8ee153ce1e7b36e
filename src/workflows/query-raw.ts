// Searching the raw event window: the same function behind the API, `orrery query` and the UI.
// A user or account given as an email is looked up by its keyed hash, as ingest stored it
// (emails are never stored in the clear).
import { keyedHash } from '../analysis/index.js';
import { EMAIL_HASH_KEY, type LogRow, type RawFilter, type SpanRow, instanceSecret } from '../store/index.js';
import type { Context } from './context.js';

export const MAX_QUERY_LIMIT = 10_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function stored(ctx: Pick<Context, 'store'>, filter: RawFilter): Promise<RawFilter> {
  const out = { ...filter, limit: Math.min(filter.limit, MAX_QUERY_LIMIT) };
  const emails = [filter.userId, filter.accountId].some((v) => v !== undefined && EMAIL.test(v.trim()));
  if (!emails) return out;
  const key = await instanceSecret(ctx.store.db, EMAIL_HASH_KEY);
  if (out.userId !== undefined && EMAIL.test(out.userId.trim())) out.userId = keyedHash(key, out.userId);
  if (out.accountId !== undefined && EMAIL.test(out.accountId.trim())) out.accountId = keyedHash(key, out.accountId);
  return out;
}

export async function searchLogs(ctx: Pick<Context, 'store'>, filter: RawFilter): Promise<LogRow[]> {
  return ctx.store.queryLogs(await stored(ctx, filter));
}

export async function searchSpans(ctx: Pick<Context, 'store'>, filter: RawFilter): Promise<SpanRow[]> {
  return ctx.store.querySpans(await stored(ctx, filter));
}
