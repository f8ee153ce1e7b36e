// A change's blast radius (POST /api/simulations/change, which stores each run): a range of an indexed
// repository or a deploy id, asked in a form whose values stay in the address (so an answer is a
// link); then the exposed endpoints, each runtime-confirmed or static-only, the services, the users
// and accounts behind them, open problems, tickets and owners, and what limited the answer.
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { BlastEndpoint, BlastRadius } from '../../model/index.js';
import { api } from '../api';
import { ExplainButton } from '../components/explain-drawer';
import { PageHead } from '../components/layout';
import { Empty, ErrorBox, Loading } from '../components/states';
import { num, short, time, who } from '../format';

type Asked = { range: string; repository?: string } | { deploy: number };

function askedOf(p: URLSearchParams): Asked | null {
  const range = p.get('range')?.trim();
  const deploy = p.get('deploy')?.trim();
  if (range) return { range, ...(p.get('repository')?.trim() ? { repository: p.get('repository')!.trim() } : {}) };
  if (deploy) return { deploy: Number(deploy) };
  return null;
}

export function BlastRadiusPage() {
  const [params, setParams] = useSearchParams();
  const asked = askedOf(params);
  const key = JSON.stringify(asked);
  const [state, setState] = useState<{ result: BlastRadius | null; error: Error | null }>({
    result: null,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the question asked
  useEffect(() => {
    if (!asked) return setState({ result: null, error: null });
    const ctrl = new AbortController();
    setState({ result: null, error: null });
    api<{ simulation: { result: BlastRadius } }>('/api/simulations/change', {
      method: 'POST',
      body: asked,
      signal: ctrl.signal,
    }).then(
      (r) => setState({ result: r.simulation.result, error: null }),
      (error: Error) => !ctrl.signal.aborted && setState({ result: null, error }),
    );
    return () => ctrl.abort();
  }, [key]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of ['range', 'repository', 'deploy']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  };
  return (
    <>
      <PageHead title="Blast radius of a change">
        <Link className="button" to="/simulations">
          All simulations
        </Link>
      </PageHead>
      <p className="muted">
        What a change would touch: the code that reaches what it changed, the endpoints exposed (confirmed by sampled
        production traces, or found by the code walk alone), and who is behind them. Give a range of an indexed
        repository, or a deploy.
      </p>
      <form className="search" onSubmit={submit} key={params.toString()}>
        <label>
          Range
          <input name="range" defaultValue={params.get('range') ?? ''} placeholder="v1.2.0..v1.3.0" />
        </label>
        <label>
          Repository (optional)
          <input name="repository" defaultValue={params.get('repository') ?? ''} />
        </label>
        <span className="or muted">or</span>
        <label>
          Deploy id
          <input name="deploy" type="number" min={1} defaultValue={params.get('deploy') ?? ''} />
        </label>
        <button type="submit">Show blast radius</button>
      </form>
      {!asked ? (
        <Empty>Give a range (base..head) or a deploy id.</Empty>
      ) : state.error ? (
        <ErrorBox error={state.error} />
      ) : !state.result ? (
        <Loading what="the blast radius (diffing, walking the code, reading traces)" />
      ) : (
        <BlastRadiusView r={state.result} />
      )}
    </>
  );
}

const endpointName = (e: BlastEndpoint) =>
  `${e.methods.length && !/^[A-Z]+ \//.test(e.endpoint) ? `${e.methods.join(',')} ` : ''}${e.endpoint}`;

export function BlastRadiusView({ r }: { r: BlastRadius }) {
  const s = r.summary;
  const p = r.people;
  return (
    <>
      <h2>
        {r.repository} <span className="sha">{short(r.base)}</span>..<span className="sha">{short(r.head)}</span>
      </h2>
      <p className="muted">
        {r.algorithm}
        {r.deploy && (
          <>
            ; deploy <Link to={`/deploys/${r.deploy.id}`}>#{r.deploy.id}</Link> of {r.deploy.service} {r.deploy.version}{' '}
            (only code {r.deploy.service} runs counts as changed)
          </>
        )}
        {r.window ? (
          <>
            ; telemetry {time(r.window.since)} to {time(r.window.until)} ({r.window.minutes} min with data)
          </>
        ) : (
          '; no telemetry read'
        )}
        .
      </p>
      <p className="summary">
        {s.changedUnits} changed units, {s.reachedUnits} reaching them; <strong>{s.endpoints} exposed endpoints</strong>{' '}
        ({s.entryEndpoints} entry) in {s.services} services: <strong>{s.runtimeConfirmed} runtime-confirmed</strong>,{' '}
        {s.staticOnly} static-only.
        {s.entryCallsPerMinute !== null && <> Entry traffic {num(s.entryCallsPerMinute)} calls/min.</>}
        {(p.users !== null || p.accounts !== null) && (
          <>
            {' '}
            About {num(p.users)} users and {num(p.accounts)} accounts used the exposed entry endpoints.
          </>
        )}
      </p>
      {r.notes.length > 0 && (
        <div className="warnings">
          <h3>What limited the answer</h3>
          <ul>
            {r.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      <h2 id="exposed-head">Exposed endpoints</h2>
      {r.endpoints.length === 0 ? (
        <Empty>No endpoint reaches the changed code.</Empty>
      ) : (
        <div className="scroll">
          <table className="list blast-endpoints" aria-labelledby="exposed-head">
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Exposure</th>
                <th scope="col">Calls/min</th>
                <th scope="col">Errors/min</th>
                <th scope="col">Users</th>
                <th scope="col">Accounts</th>
                <th scope="col">Owners</th>
                <th scope="col">How it is reached</th>
              </tr>
            </thead>
            <tbody>
              {r.endpoints.map((e) => (
                <tr key={`${e.service} ${e.endpoint}`} data-mark={e.mark}>
                  <th scope="row">
                    {e.service} {endpointName(e)}
                    {e.entry && <span className="tag">entry</span>}
                    <ExplainButton target={`${e.service} ${endpointName(e)}`} />
                  </th>
                  <td>
                    <span className={`tag ${e.mark === 'static-only' ? 'warn' : ''}`}>{e.mark}</span>
                    <div className="muted">via {e.via}</div>
                  </td>
                  <td>{num(e.callsPerMinute)}</td>
                  <td>{num(e.errorsPerMinute)}</td>
                  <td>{num(e.users)}</td>
                  <td>{num(e.accounts)}</td>
                  <td>{e.owners.length ? e.owners.map(who).join(', ') : '–'}</td>
                  <td>
                    <details>
                      <summary>{e.path.length} steps</summary>
                      <ol className="path">
                        {e.path.map((step, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: a path may repeat a step
                          <li key={i}>{step}</li>
                        ))}
                      </ol>
                      {e.evidence.length > 0 && (
                        <ul>
                          {e.evidence.map((x, i) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: evidence has no id
                            <li key={i}>
                              {x.kind}: {x.detail}
                              {x.traceId && (
                                <>
                                  {' '}
                                  (<Link to={`/traces/${x.traceId}`}>trace</Link>)
                                </>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Services</h2>
      {r.services.length === 0 ? (
        <Empty>No service is exposed.</Empty>
      ) : (
        <ul>
          {r.services.map((sv) => (
            <li key={sv.service}>
              <strong>{sv.service}</strong> <ExplainButton target={sv.service} /> <span className="tag">{sv.mark}</span>{' '}
              via {sv.via}: {sv.endpoints} endpoints
              {sv.callsPerMinute !== null && `, ${num(sv.callsPerMinute)} calls/min`}
              {sv.owners.length > 0 && `; owners ${sv.owners.map(who).join(', ')}`}
            </li>
          ))}
        </ul>
      )}
      {(p.topUsers.length > 0 || p.topAccounts.length > 0) && (
        <>
          <h2>Most active users and accounts</h2>
          <dl className="facts">
            <dt>Users (requests)</dt>
            <dd>{p.topUsers.map((u) => `${who(u.id)} (${num(u.requests)})`).join(', ') || '–'}</dd>
            <dt>Accounts (requests)</dt>
            <dd>{p.topAccounts.map((a) => `${who(a.id)} (${num(a.requests)})`).join(', ') || '–'}</dd>
          </dl>
        </>
      )}
      <h2>Open problems and tickets</h2>
      {r.problems.length === 0 && r.tickets.length === 0 ? (
        <Empty>None tied to the exposed code or services.</Empty>
      ) : (
        <ul>
          {r.problems.map((x) => (
            <li key={`p${x.id}`}>
              Problem <Link to={`/problems/${x.id}`}>{x.title}</Link> ({x.why}: {x.detail})
            </li>
          ))}
          {r.tickets.map((t) => (
            <li key={`t${t.id}`}>
              Ticket <Link to={`/tickets/${t.id}`}>{t.title}</Link> ({t.status}; {t.why})
            </li>
          ))}
        </ul>
      )}
      <h2>Owners</h2>
      {r.owners.length === 0 ? (
        <Empty>No CODEOWNERS rule names an owner of this code.</Empty>
      ) : (
        <ul>
          {r.owners.map((o) => (
            <li key={`${o.role} ${o.owner}`}>
              {who(o.owner)}: {o.role === 'changed' ? 'owns changed code (a reviewer)' : 'owns exposed code'} —{' '}
              <span className="path">{o.paths.join(', ')}</span>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>
          What changed: {r.files.length} files, {r.changed.length} units
        </summary>
        <ul>
          {r.changed.map((u) => (
            <li key={`${u.path} ${u.name}`}>
              <span className="path">{u.path}</span> {u.name} ({u.kind}, {u.change}
              {u.service ? `, ${u.service}` : ''}): {u.why}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}
