// The problem queue: one row per fault, highest priority first, with who is hurt and how it
// trends, its tickets, owner, first seen and the deploy it likely came with; filters by
// service and owner (kept in the URL, so a filtered queue is a link).
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { QueuedProblem } from '../../model/index.js';
import { api, useApi } from '../api';
import { PageHead } from '../components/layout';
import { Sparkline } from '../components/sparkline';
import { VerdictTag } from '../components/verdict';
import { Empty, Load } from '../components/states';
import { ago, num, short, who } from '../format';

export function ProblemsPage() {
  const [params, setParams] = useSearchParams();
  const service = params.get('service') ?? '';
  const owner = params.get('owner') ?? '';
  const state = useApi<{ problems: QueuedProblem[] }>('/api/problems?limit=100');
  const [running, setRunning] = useState<string | null>(null);
  const refresh = async () => {
    setRunning('Running triage over the last 24 h…');
    try {
      await api('/api/triage', { method: 'POST', body: {} });
      setRunning(null);
      state.reload();
    } catch (e) {
      setRunning(`Triage failed: ${(e as Error).message}`);
    }
  };
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageHead title="Problems">
        <button type="button" onClick={refresh} disabled={running?.startsWith('Running') ?? false}>
          Re-run triage
        </button>
      </PageHead>
      {running && (
        <p className="state" role="status">
          {running}
        </p>
      )}
      <Load state={state} what="the problem queue">
        {({ problems }) => {
          const services = [...new Set(problems.flatMap((p) => p.services))].sort();
          const owners = [...new Set(problems.flatMap((p) => p.owners ?? []))].sort();
          const shown = problems.filter(
            (p) => (!service || p.services.includes(service)) && (!owner || (p.owners ?? []).includes(owner)),
          );
          return (
            <>
              <form className="filters" onSubmit={(e) => e.preventDefault()}>
                <label>
                  Service{' '}
                  <select value={service} onChange={(e) => set('service', e.target.value)}>
                    <option value="">all</option>
                    {services.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                </label>
                <label>
                  Owner{' '}
                  <select value={owner} onChange={(e) => set('owner', e.target.value)}>
                    <option value="">all</option>
                    {owners.map((o) => (
                      <option key={o} value={o}>
                        {who(o)}
                      </option>
                    ))}
                  </select>
                </label>
              </form>
              {problems.length === 0 ? (
                <Empty>
                  No open problems. Run triage to build the queue from the last 24 hours of telemetry and tickets.
                </Empty>
              ) : shown.length === 0 ? (
                <Empty>No problem matches these filters.</Empty>
              ) : (
                <table className="list problems">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Problem</th>
                      <th scope="col">Users affected</th>
                      <th scope="col">Trend</th>
                      <th scope="col">Tickets</th>
                      <th scope="col">Owner</th>
                      <th scope="col">First seen</th>
                      <th scope="col">Suspected deploy</th>
                      <th scope="col">Priority</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((p, i) => (
                      <tr key={p.id} data-problem={p.id}>
                        <td>{i + 1}</td>
                        <td>
                          <Link to={`/problems/${p.id}`}>{p.title}</Link>
                          <div className="muted">{p.services.join(', ')}</div>
                        </td>
                        <td className="users">{num(p.users)}</td>
                        <td>
                          <Sparkline series={p.series} label={`events of ${p.title}`} />{' '}
                          <span className="muted">{p.trend}</span>
                        </td>
                        <td>{p.tickets.length}</td>
                        <td>{p.owners?.length ? p.owners.map(who).join(', ') : '–'}</td>
                        <td>{ago(p.firstSeen)}</td>
                        <td>
                          {p.suspectedDeploy ? (
                            <>
                              <Link to={`/deploys/${p.suspectedDeploy.id}`}>
                                {p.suspectedDeploy.service} {p.suspectedDeploy.version} (
                                {short(p.suspectedDeploy.commit)})
                              </Link>
                              {p.suspectedDeploy.verdict && (
                                <>
                                  {' '}
                                  <VerdictTag
                                    deployId={p.suspectedDeploy.id}
                                    verdict={p.suspectedDeploy.verdict.verdict}
                                  />
                                </>
                              )}
                            </>
                          ) : (
                            '–'
                          )}
                        </td>
                        <td>{p.priority.score.toFixed(1)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Load>
    </>
  );
}
