// Search over the raw window: spans or logs by user (an id, or an email: it is looked up by its
// keyed hash), account, trace id or text; failed spans first when asked. A trace opens as a
// waterfall.
import { type FormEvent, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { LogRow, SpanRow } from '../../model/index.js';
import { qs, useApi } from '../api';
import { PageHead } from '../components/layout';
import { Empty, Load } from '../components/states';
import { ms, time, who } from '../format';

const FIELDS = ['user', 'account', 'trace', 'grep', 'service', 'since', 'until'] as const;

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') === 'logs' ? 'logs' : 'spans';
  const query = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? undefined]));
  const asked = FIELDS.some((f) => params.get(f));
  const since = query.since ?? (asked ? new Date(Date.now() - 7 * 86_400_000).toISOString() : undefined);
  const path = asked
    ? `/api/${kind}${qs({ ...query, since, status: params.get('status') ?? undefined, limit: 200 })}`
    : null;
  const state = useApi<{ spans?: SpanRow[]; logs?: LogRow[] }>(path);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of ['kind', 'user', 'account', 'trace', 'grep', 'service', 'status']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  };
  return (
    <>
      <PageHead title="Search" />
      <search>
        <form className="search" onSubmit={submit} key={params.toString()}>
          <label>
            In{' '}
            <select name="kind" defaultValue={kind}>
              <option value="spans">spans</option>
              <option value="logs">logs</option>
            </select>
          </label>
          <label>
            User <input name="user" defaultValue={query.user} placeholder="id or email" />
          </label>
          <label>
            Account <input name="account" defaultValue={query.account} />
          </label>
          <label>
            Trace id <input name="trace" defaultValue={query.trace} pattern="[0-9a-fA-F]{32}" title="32 hex digits" />
          </label>
          <label>
            Text <input name="grep" defaultValue={query.grep} />
          </label>
          <label>
            Service <input name="service" defaultValue={query.service} />
          </label>
          <label>
            <input type="checkbox" name="status" value="error" defaultChecked={params.get('status') === 'error'} />{' '}
            failed only
          </label>
          <button type="submit">Search</button>
        </form>
      </search>
      {!asked ? (
        <Empty>Search the last 7 days (the retention window) by user, account, trace id or text.</Empty>
      ) : (
        <Load state={state} what={kind}>
          {(r) =>
            kind === 'spans' ? (
              <SpanResults spans={r.spans ?? []} />
            ) : (r.logs ?? []).length === 0 ? (
              <Empty>No log line matches.</Empty>
            ) : (
              <table className="list">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Service</th>
                    <th scope="col">Level</th>
                    <th scope="col">Line</th>
                    <th scope="col">Trace</th>
                  </tr>
                </thead>
                <tbody>
                  {(r.logs ?? []).map((l, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: log rows have no id
                    <tr key={i}>
                      <td>{time(l.time)}</td>
                      <td>{l.service}</td>
                      <td>{l.severityText}</td>
                      <td>
                        <code>{l.body}</code>
                      </td>
                      <td>{l.traceId ? <Link to={`/traces/${l.traceId}`}>{l.traceId.slice(0, 12)}</Link> : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Load>
      )}
    </>
  );
}

function SpanResults({ spans }: { spans: SpanRow[] }) {
  if (spans.length === 0) return <Empty>No span matches.</Empty>;
  const failed = spans.filter((s) => s.statusCode === 2).length;
  return (
    <>
      <p>
        {spans.length} spans, {failed} failed.
      </p>
      <table className="list spans">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Service</th>
            <th scope="col">Operation</th>
            <th scope="col">Duration</th>
            <th scope="col">Status</th>
            <th scope="col">User</th>
            <th scope="col">Trace</th>
          </tr>
        </thead>
        <tbody>
          {spans.map((s) => (
            <tr key={s.spanId} className={s.statusCode === 2 ? 'failed' : ''}>
              <td>{time(s.startTime)}</td>
              <td>{s.service}</td>
              <td>{s.name}</td>
              <td>{ms(s.durationNs / 1e6)}</td>
              <td>{s.statusCode === 2 ? `error${s.statusMessage ? `: ${s.statusMessage}` : ''}` : 'ok'}</td>
              <td>{who(s.userId)}</td>
              <td>
                <Link to={`/traces/${s.traceId}`}>{s.traceId.slice(0, 12)}</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A trace as a waterfall: spans in tree order, each bar placed and sized by its time. */
export function TracePage() {
  const { traceId = '' } = useParams();
  const state = useApi<{ spans: SpanRow[] }>(
    `/api/spans${qs({ trace: traceId, limit: 1000, since: new Date(Date.now() - 30 * 86_400_000).toISOString() })}`,
  );
  return (
    <>
      <PageHead title={`Trace ${traceId}`}>
        <Link className="button" to={`/search${qs({ trace: traceId, kind: 'logs' })}`}>
          Its logs
        </Link>
      </PageHead>
      <Load state={state} what="the trace">
        {({ spans }) =>
          spans.length === 0 ? (
            <Empty>No span of this trace is in the retention window.</Empty>
          ) : (
            <Waterfall spans={spans} />
          )
        }
      </Load>
    </>
  );
}

function Waterfall({ spans }: { spans: SpanRow[] }) {
  const rows = useMemo(() => {
    const byParent = new Map<string | null, SpanRow[]>();
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) {
      const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
      byParent.set(p, [...(byParent.get(p) ?? []), s]);
    }
    const out: Array<{ s: SpanRow; depth: number }> = [];
    const walk = (p: string | null, depth: number) => {
      for (const s of (byParent.get(p) ?? []).sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime))) {
        out.push({ s, depth });
        walk(s.spanId, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }, [spans]);
  const t0 = Math.min(...spans.map((s) => Date.parse(s.startTime)));
  const t1 = Math.max(...spans.map((s) => Date.parse(s.endTime)));
  const total = Math.max(1, t1 - t0);
  return (
    <table className="waterfall" aria-label="trace waterfall">
      <thead>
        <tr>
          <th scope="col">Span</th>
          <th scope="col">Duration</th>
          <th scope="col">Timeline ({ms(total)})</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ s, depth }) => {
          const left = ((Date.parse(s.startTime) - t0) / total) * 100;
          const width = Math.max(0.5, (s.durationNs / 1e6 / total) * 100);
          return (
            <tr key={s.spanId} className={s.statusCode === 2 ? 'failed' : ''}>
              <td style={{ paddingLeft: `${0.5 + depth * 1.2}rem` }}>
                <strong>{s.service}</strong> {s.name}
                {s.statusCode === 2 && (
                  <span className="tag err">error{s.statusMessage ? `: ${s.statusMessage.slice(0, 80)}` : ''}</span>
                )}
              </td>
              <td>{ms(s.durationNs / 1e6)}</td>
              <td className="bar-cell">
                <span className="bar" style={{ left: `${left}%`, width: `${width}%` }} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
