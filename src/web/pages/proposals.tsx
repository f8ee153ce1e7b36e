// The remediation proposals: newest first, each with its status, kind, risk tier, the approvals
// it has and needs, and when it expires; filtered by status (kept in the URL, so a filtered list
// is a link). The problem page lists its own with ProposalTable.
import { Link, useSearchParams } from 'react-router-dom';
import { PROPOSAL_STATUSES, type ProposalListAnswer, type ProposalSummary } from '../../model/proposals.js';
import { qs, useApi } from '../api';
import { PageHead } from '../components/layout';
import { Empty, Load } from '../components/states';
import { ago, time } from '../format';
import { attention } from '../proposal-attention';

/** When a waiting proposal expires, "expired" after, and nothing once it was decided and run. */
export function expiry(p: Pick<ProposalSummary, 'status' | 'expiresAt'>, now = Date.now()): string {
  if (p.status !== 'proposed' && p.status !== 'approved') return '–';
  const left = Date.parse(p.expiresAt) - now;
  if (left <= 0) return 'expired';
  const min = Math.round(left / 60_000);
  return min < 90 ? `in ${min} min` : `in ${Math.round(min / 60)} h`;
}

export function ProposalTable({ proposals, expiringMinutes }: ProposalListAnswer) {
  return (
    <table className="list proposals">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Proposal</th>
          <th scope="col">Status</th>
          <th scope="col">Kind</th>
          <th scope="col">Risk</th>
          <th scope="col">Approvals</th>
          <th scope="col">Expires</th>
          <th scope="col">Proposed</th>
        </tr>
      </thead>
      <tbody>
        {proposals.map((p) => {
          const a = attention(p, Date.now(), expiringMinutes);
          return (
            <tr
              key={p.id}
              data-proposal={p.id}
              data-pending={a.pending || undefined}
              data-expiring={a.expiring || undefined}
              className={a.expiring ? 'expiring' : a.pending ? 'pending' : undefined}
            >
              <td>{p.id}</td>
              <td>
                <Link to={`/proposals/${p.id}`}>{p.title}</Link>
                {a.pending && <span className="flag flag-pending">awaiting approval</span>}
                {a.expiring && <span className="flag flag-expiring">expiring soon</span>}
                {p.notices?.pending?.sentAt && <div className="muted">approvers notified</div>}
              </td>
              <td>
                <span className={`status status-${p.status}`}>{p.status}</span>
                {p.outcome && <div className="muted">then {p.outcome}</div>}
              </td>
              <td>{p.kind}</td>
              <td>
                <span className={`tier tier-${p.tier}`}>{p.tier}</span>
              </td>
              <td className="approvals">
                {p.approvals.counted} of {p.approvals.required}
              </td>
              <td title={time(p.expiresAt)}>{expiry(p)}</td>
              <td>
                {ago(p.createdAt)} <span className="muted">by {p.proposer}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ProposalsPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const state = useApi<ProposalListAnswer>(`/api/proposals${qs({ limit: 200, status })}`);
  return (
    <>
      <PageHead title="Proposals" />
      <p className="hint">
        Remediations Orrery proposes from an investigation, a problem or a regressed deploy. Each runs only once
        approved by people holding an approver token; open one to see its evidence, simulated effect and dry run.
      </p>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set('status', e.target.value);
              else next.delete('status');
              setParams(next, { replace: true });
            }}
          >
            <option value="">all</option>
            {PROPOSAL_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      <Load state={state} what="the proposals">
        {({ proposals, expiringMinutes }) =>
          proposals.length === 0 ? (
            <Empty>
              No proposal{status ? ` is ${status}` : ' yet'}. Propose one from a problem or an investigation (
              <code>orrery propose problem &lt;id&gt;</code>).
            </Empty>
          ) : (
            <ProposalTable proposals={proposals} expiringMinutes={expiringMinutes} />
          )
        }
      </Load>
    </>
  );
}
