// One remediation proposal, as an approver reads it before deciding: what it does and why, the
// evidence, the simulated effect on each entry endpoint (before → after), the preconditions, the
// blast radius, the dry-run diff, the risk tier with its rules, and the decisions and execution
// so far. Approve and Reject send the token this browser holds; the server decides who may
// (an identified approver), and its refusal is shown as it says it.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Proposal, ProposalAction, ProposalSource } from '../../model/proposals.js';
import { ApiError, api, token, useApi } from '../api';
import { DiffView } from '../components/code-view';
import { EvidenceItem } from '../components/evidence';
import { PageHead } from '../components/layout';
import { Load } from '../components/states';
import { figure, ms, num, share, time } from '../format';
import { expiry } from './proposals';

/** What the action changes, in words. */
function actionText(a: ProposalAction): string {
  switch (a.kind) {
    case 'rollback':
      return `roll ${a.service}${a.environment ? ` (${a.environment})` : ''} back from ${a.fromVersion} to ${a.toVersion}`;
    case 'scale':
      return `scale ${a.service}: ${[
        a.replicas ? `replicas ${a.replicas.from ?? '?'} → ${a.replicas.to}` : '',
        a.hpaMin ? `autoscaler minimum ${a.hpaMin.from ?? '?'} → ${a.hpaMin.to}` : '',
      ]
        .filter(Boolean)
        .join(', ')}`;
    case 'config':
      return `set ${a.name} on ${a.service} from ${a.from ?? '(unset)'} to ${a.to}`;
    case 'flag':
      return `turn flag ${a.flag} ${a.to} on ${a.service}`;
    case 'restart':
      return `restart ${a.services.join(', ')}`;
    case 'revert':
      return `revert ${a.sha.slice(0, 10)} (${a.subject}) in ${a.repository}`;
  }
}

function SourceLink({ s }: { s: ProposalSource }) {
  switch (s.kind) {
    case 'investigation':
      return <Link to={`/investigations/${s.id}`}>investigation #{s.id}</Link>;
    case 'problem':
      return <Link to={`/problems/${s.id}`}>problem #{s.id}</Link>;
    case 'deploy':
      return <Link to={`/deploys/${s.id}`}>deploy #{s.id}</Link>;
    case 'verification':
      return <Link to={`/deploys/${s.deployId}`}>the verification of deploy #{s.deployId}</Link>;
    case 'undo':
      return <Link to={`/proposals/${s.proposalId}`}>the undo of proposal #{s.proposalId}</Link>;
    case 'manual':
      return <>written by hand</>;
  }
}

/** A refusal in the words a person acts on: which token the server wants, then its own message. */
export function refusal(e: Error, verb: 'approve' | 'reject'): string {
  if (e instanceof ApiError && e.status === 401)
    return `${verb === 'approve' ? 'Approving' : 'Rejecting'} needs an approver token: set one with the Token button at the top. (${e.message})`;
  if (e instanceof ApiError && e.status === 403)
    return `${verb === 'approve' ? 'Approving' : 'Rejecting'} needs an approver token; this one is not. (${e.message})`;
  return e.message;
}

function Decide({ p, done }: { p: Proposal; done: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const openToApprove = p.status === 'proposed';
  const openToReject = p.status === 'proposed' || p.status === 'approved';
  if (!openToApprove && !openToReject) return null;
  const send = async (verb: 'approve' | 'reject') => {
    setBusy(true);
    setError(null);
    try {
      await api<{ proposal: Proposal }>(`/api/proposals/${p.id}/${verb}`, {
        method: 'POST',
        body: comment.trim() ? { comment: comment.trim() } : {},
      });
      setComment('');
      done();
    } catch (e) {
      setError(refusal(e as Error, verb));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="decide" aria-labelledby="decide-head">
      <h2 id="decide-head">Decide</h2>
      <p className="muted">
        {token() ? 'Decides as the token set in this browser.' : 'No token is set in this browser.'} It needs{' '}
        {p.approval.required} approval{p.approval.required === 1 ? '' : 's'} from approver tokens; {p.approval.counted}{' '}
        counted so far.
      </p>
      <label>
        Comment <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} size={50} />
      </label>{' '}
      {openToApprove && (
        <button type="button" onClick={() => send('approve')} disabled={busy}>
          Approve
        </button>
      )}{' '}
      <button type="button" onClick={() => send('reject')} disabled={busy}>
        Reject
      </button>
      {error && (
        <p className="state error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Effect({ p }: { p: Proposal }) {
  const s = p.simulation;
  if (!s) return <p className="muted">Not simulated: {p.simulationNote ?? 'no model for this action'}.</p>;
  return (
    <>
      <p className="muted">
        {s.method}; {time(s.window.since)} to {time(s.window.until)} (
        <Link to={`/simulations/${s.simulationId}`}>simulation #{s.simulationId}</Link>, {s.algorithm})
      </p>
      <table className="list effect">
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Requests</th>
            <th scope="col">Error rate before → after</th>
            <th scope="col">p95 before → after</th>
          </tr>
        </thead>
        <tbody>
          {s.endpoints.map((e) => (
            <tr key={`${e.service} ${e.endpoint}`}>
              <td>
                {e.service} <code>{e.endpoint}</code>
              </td>
              <td>{num(e.before.requests)}</td>
              <td>
                {share(e.before.errorRate)} → {figure(e.after.errorRate, share)}
              </td>
              <td>
                {ms(e.before.p95)} → {figure(e.after.p95, ms)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Body({ p }: { p: Proposal }) {
  const b = p.blastRadius;
  return (
    <>
      <h2>Evidence</h2>
      {p.evidence.length === 0 ? (
        <p className="muted">No evidence item is attached.</p>
      ) : (
        <div className="evidence-list">
          {p.evidence.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: evidence items are listed in order, without ids
            <EvidenceItem key={i} e={e} />
          ))}
        </div>
      )}
      <h2>Simulated effect</h2>
      <Effect p={p} />
      <h2>Preconditions</h2>
      <ul className="preconditions">
        {p.preconditions.map((c) => (
          <li key={c.key}>
            <span className={c.met === false ? 'tag err' : 'tag'}>
              {c.met === null ? 'unchecked' : c.met ? 'met' : 'not met'}
            </span>{' '}
            {c.text} <span className="muted">{c.detail}</span>
          </li>
        ))}
      </ul>
      <h2>Blast radius</h2>
      <p>
        Changes {b.changed.join(', ') || '–'}
        {b.requestsPerMinute !== null && <>, which served {num(b.requestsPerMinute)} requests a minute</>}.
        {b.note && <span className="muted"> {b.note}</span>}
      </p>
      {b.exposed.length > 0 && (
        <ul>
          {b.exposed.map((x) => (
            <li key={`${x.service} ${x.via}`}>
              {x.service} calls it via {x.via} ({num(x.callsPerMinute)} a minute)
            </li>
          ))}
        </ul>
      )}
      <h2>Dry run</h2>
      <p>
        {p.diff.executor ? `Executor ${p.diff.executor}` : 'No configured executor can run it'}; target{' '}
        <code>{p.diff.target}</code>.
      </p>
      {p.diff.changes.length > 0 && (
        <ul>
          {p.diff.changes.map((c) => (
            <li key={c.what}>
              {c.what}: <span className="del">{c.from ?? '(none)'}</span> →{' '}
              <span className="add">{c.to ?? '(none)'}</span>
            </li>
          ))}
        </ul>
      )}
      {p.diff.patch && <DiffView patch={p.diff.patch} />}
      <h2>Risk tier: {p.risk.tier}</h2>
      <ul>
        {p.risk.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <details>
        <summary>Every tier and approval rule</summary>
        <ul>
          {[...p.risk.rules, ...p.approval.rules].map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </details>
    </>
  );
}

function Trail({ p }: { p: Proposal }) {
  const x = p.execution;
  return (
    <>
      <h2 id="trail-head">Decisions and execution</h2>
      <ol className="trail" aria-labelledby="trail-head">
        <li>
          {time(p.createdAt)}: proposed by {p.proposer}
        </li>
        {p.decisions.map((d) => (
          <li key={d.actor} data-verdict={d.verdict}>
            {time(d.at)}: {d.verdict === 'approve' ? 'approved' : 'rejected'} by {d.actorName ?? d.actor}
            {d.comment && <> — “{d.comment}”</>} <span className="muted">({d.why})</span>
          </li>
        ))}
        {x && (
          <li>
            {time(x.claimedAt)}: run by {x.executor} on {x.node}
            {x.finishedAt && <>, finished {time(x.finishedAt)}</>}
            {x.error && <span className="del"> — {x.error}</span>}
            {x.report && (
              <ul>
                {x.report.did.map((d) => (
                  <li key={d}>{d}</li>
                ))}
                <li>Undo: {x.report.undo.text}</li>
              </ul>
            )}
            {x.recovery && <div className="muted">{x.recovery}</div>}
          </li>
        )}
      </ol>
    </>
  );
}

function Outcome({ p }: { p: Proposal }) {
  const o = p.outcome;
  if (!o) return null;
  return (
    <section aria-labelledby="outcome-head">
      <h2 id="outcome-head">
        After the action: <span data-outcome={o.verdict}>{o.verdict}</span>
      </h2>
      <p>
        {o.summary}{' '}
        <span className="muted">
          ({o.services.join(', ')}; {o.looks} of {o.watchMinutes} minutes watched; {o.algorithm})
        </span>
      </p>
      <ul>
        {o.tests.map((t) => (
          <li key={`${t.measure} ${t.direction}`}>
            {t.measure} {t.direction}: {num(t.before)} → {num(t.after)}, p = {t.p.toPrecision(2)} (level{' '}
            {t.level.toPrecision(2)}){t.passed ? ' — passed' : ''}
          </li>
        ))}
        {o.problem && (
          <li>
            <Link to={`/problems/${o.problem.id}`}>problem #{o.problem.id}</Link>: {o.problem.action}
          </li>
        )}
        {o.undoProposalId !== null && (
          <li>
            The undo is proposed, not run:{' '}
            <Link to={`/proposals/${o.undoProposalId}`}>proposal #{o.undoProposalId}</Link>
          </li>
        )}
      </ul>
    </section>
  );
}

export function ProposalPage() {
  const { id } = useParams();
  const state = useApi<{ proposal: Proposal }>(`/api/proposals/${id}`);
  return (
    <Load state={state} what="the proposal">
      {({ proposal: p }) => {
        return (
          <>
            <PageHead title={`Proposal #${p.id}: ${p.title}`}>
              <a className="button" href={`/api/proposals/${p.id}?format=markdown`}>
                Markdown
              </a>
            </PageHead>
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <span className={`status status-${p.status}`} data-status={p.status}>
                  {p.status}
                </span>
              </dd>
              <dt>Action</dt>
              <dd>{actionText(p.action)}</dd>
              <dt>From</dt>
              <dd>
                <SourceLink s={p.source} />
              </dd>
              <dt>Risk tier</dt>
              <dd>{p.risk.tier}</dd>
              <dt>Approvals</dt>
              <dd className="approvals">
                {p.approval.counted} of {p.approval.required} counted
              </dd>
              <dt>Expires</dt>
              <dd>
                {time(p.expiresAt)} <span className="muted">{expiry(p)}</span>
              </dd>
            </dl>
            <p className="narrative">{p.rationale}</p>
            <Decide p={p} done={state.reload} />
            <Outcome p={p} />
            <Body p={p} />
            <Trail p={p} />
          </>
        );
      }}
    </Load>
  );
}
