// One problem: what was merged into it and why, its tickets, and its investigation (run one,
// or open the latest).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Investigation, ProposalListAnswer, QueuedProblemDetail } from '../../model/index.js';
import { api, useApi } from '../api';
import { ExplainButton } from '../components/explain-drawer';
import { PageHead } from '../components/layout';
import { Sparkline } from '../components/sparkline';
import { AskedVerdict, VerdictTag } from '../components/verdict';
import { shouldAsk } from '../components/verdict-ask';
import { ErrorBox, Load } from '../components/states';
import { ago, num, time, who } from '../format';
import { ProposalTable } from './proposals';

export function useInvestigate(): { start: (subject: unknown) => Promise<void>; busy: boolean; error: Error | null } {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const start = async (subject: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const { investigation } = await api<{ investigation: Investigation }>('/api/investigations', {
        method: 'POST',
        body: { subject },
      });
      navigate(`/investigations/${investigation.id}`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return { start, busy, error };
}

export function ProblemPage() {
  const { id } = useParams();
  const state = useApi<QueuedProblemDetail>(`/api/problems/${id}`);
  const inv = useInvestigate();
  const proposals = useApi<ProposalListAnswer>(`/api/proposals?problem=${id}&limit=50`);
  return (
    <Load state={state} what="the problem">
      {({ problem: p, tickets, merged }) => (
        <>
          <PageHead title={p.title}>
            {p.investigation && (
              <Link className="button" to={`/investigations/${p.investigation.id}`}>
                Open investigation #{p.investigation.id}
              </Link>
            )}
            <button type="button" onClick={() => inv.start({ kind: 'problem', problemId: p.id })} disabled={inv.busy}>
              {inv.busy ? 'Investigating…' : p.investigation ? 'Investigate again' : 'Investigate'}
            </button>
          </PageHead>
          {inv.error && <ErrorBox error={inv.error} />}
          <dl className="facts">
            <dt>Users affected</dt>
            <dd>{num(p.users)}</dd>
            <dt>Accounts</dt>
            <dd>{num(p.accounts)}</dd>
            <dt>Events</dt>
            <dd>
              {num(p.events)} <Sparkline series={p.series} label="events per bucket" /> {p.trend}
            </dd>
            <dt>Services</dt>
            <dd>
              {p.services.map((s) => (
                <span key={s}>
                  <Link
                    to={`/map?highlight=${encodeURIComponent(p.services.join(','))}&service=${encodeURIComponent(s)}`}
                    className="chip"
                  >
                    {s}
                  </Link>
                  <ExplainButton target={s} />{' '}
                </span>
              ))}
            </dd>
            <dt>Owner</dt>
            <dd>{p.owners?.length ? p.owners.map(who).join(', ') : '–'}</dd>
            <dt>First seen</dt>
            <dd>
              {time(p.firstSeen)} ({ago(p.firstSeen)})
            </dd>
            <dt>Suspected deploy</dt>
            <dd>
              {p.suspectedDeploy ? (
                <>
                  <Link
                    to={`/deploys/${p.suspectedDeploy.id}`}
                  >{`${p.suspectedDeploy.service} ${p.suspectedDeploy.version} at ${time(p.suspectedDeploy.deployedAt)}`}</Link>{' '}
                  {p.suspectedDeploy.verdict ? (
                    <VerdictTag deployId={p.suspectedDeploy.id} verdict={p.suspectedDeploy.verdict.verdict} />
                  ) : p.suspectedDeploy.baseline ? (
                    <span className="muted">not verified (baseline)</span>
                  ) : shouldAsk({ ...p.suspectedDeploy, attributes: {} }, Date.now()) ? (
                    <AskedVerdict deployId={p.suspectedDeploy.id} />
                  ) : (
                    <span className="muted">not verified</span>
                  )}
                </>
              ) : (
                '–'
              )}
            </dd>
            <dt>Priority</dt>
            <dd>
              {p.priority.score.toFixed(2)} <span className="muted">= {p.priority.formula}</span>
            </dd>
          </dl>
          <p className="hint">{p.hint}</p>
          {proposals.data && proposals.data.proposals.length > 0 && (
            <section aria-labelledby="proposals-head">
              <h2 id="proposals-head">
                Remediation proposals (<Link to="/proposals">all</Link>)
              </h2>
              <ProposalTable {...proposals.data} />
            </section>
          )}
          <h2>Signals merged into it</h2>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Signal</th>
                <th scope="col">Service</th>
                <th scope="col">Events</th>
                <th scope="col">Why it is here</th>
              </tr>
            </thead>
            <tbody>
              {p.members.map((m) => (
                <tr key={`${m.kind}:${m.ref}`}>
                  <td>{m.kind}</td>
                  <td>
                    {m.kind === 'error' ? (
                      <Link to={`/errors/${m.ref}?service=${encodeURIComponent(m.service ?? '')}`}>{m.title}</Link>
                    ) : m.kind === 'pattern' ? (
                      <Link to={`/patterns/${m.ref}?service=${encodeURIComponent(m.service ?? '')}`}>{m.title}</Link>
                    ) : (
                      <Link to={`/tickets/${m.ref}`}>{m.title}</Link>
                    )}
                  </td>
                  <td>{m.service ?? '–'}</td>
                  <td>{num(m.count)}</td>
                  <td>{m.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Tickets ({tickets.length})</h2>
          {tickets.length === 0 ? (
            <p className="muted">No ticket is attached.</p>
          ) : (
            <ul>
              {tickets.map((t) => (
                <li key={t.id}>
                  <Link to={`/tickets/${t.id}`}>
                    {t.externalId}: {t.title}
                  </Link>{' '}
                  <span className="muted">
                    {t.status}, {ago(t.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {merged.length > 0 && (
            <>
              <h2>Merged into it</h2>
              <ul>
                {merged.map((m) => (
                  <li key={m.id}>
                    <Link to={`/problems/${m.id}`}>{m.title}</Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Load>
  );
}
