// The world's objects, each a list and a detail page, cross-linked: tickets, deploys, error
// groups, log patterns, commits, investigations.
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type {
  CommitDetail,
  Deploy,
  DeployDetail,
  ErrorGroupDetail,
  ErrorGroupSummary,
  InvestigationSubject,
  InvestigationSummary,
  Json,
  PatternDetail,
  PatternSummary,
  TicketDetail,
  TicketSummary,
} from '../../model/index.js';
import { qs, useApi } from '../api';
import { DiffView } from '../components/code-view';
import { ExplainButton } from '../components/explain-drawer';
import { PageHead } from '../components/layout';
import { Sparkline } from '../components/sparkline';
import { DeployVerdictCell } from '../components/verdict';
import { DeployVerificationSection } from '../components/verification';
import { Empty, ErrorBox, Load } from '../components/states';
import { ago, num, short, time, who } from '../format';
import { subjectText } from './investigation';
import { useInvestigate } from './problem';

// ---- tickets

export function TicketsPage() {
  const state = useApi<{ tickets: TicketSummary[] }>('/api/tickets?limit=200');
  return (
    <>
      <PageHead title="Tickets" />
      <Load state={state} what="tickets">
        {({ tickets }) =>
          tickets.length === 0 ? (
            <Empty>No tickets yet. Send them with a webhook, POST /api/tickets, or `orrery tickets import`.</Empty>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Ticket</th>
                  <th scope="col">Status</th>
                  <th scope="col">Source</th>
                  <th scope="col">Filed</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {tickets.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/tickets/${t.id}`}>
                        {t.externalId}: {t.title}
                      </Link>
                    </td>
                    <td>{t.status}</td>
                    <td>{t.source}</td>
                    <td>{ago(t.createdAt)}</td>
                    <td>{t.problemId ? <Link to={`/problems/${t.problemId}`}>#{t.problemId}</Link> : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Load>
    </>
  );
}

export function TicketPage() {
  const { id } = useParams();
  const state = useApi<TicketDetail>(`/api/tickets/${id}`);
  return (
    <Load state={state} what="the ticket">
      {({ ticket: t, mentions, links }) => {
        const users = links.filter((l) => l.dstKind === 'end_user');
        return (
          <>
            <PageHead title={`${t.externalId}: ${t.title}`}>
              <InvestigateButton subject={{ kind: 'ticket', ticketId: t.id }} />
            </PageHead>
            <p className="muted">
              {t.source}, {t.status}, filed {time(t.createdAt)}
              {t.problemId ? (
                <>
                  {' '}
                  · <Link to={`/problems/${t.problemId}`}>problem #{t.problemId}</Link>
                </>
              ) : null}
            </p>
            <pre className="ticket-body">{t.body}</pre>
            {t.comments.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: comments are in order
              <pre key={i} className="ticket-body comment">
                {c.body}
              </pre>
            ))}
            <h2>Who and what it names</h2>
            <ul className="links">
              {users.map((l) => (
                <li key={`u${l.dstId}`}>
                  user <Link to={`/search${qs({ user: l.dstId, kind: 'spans' })}`}>{who(l.dstId)}</Link>{' '}
                  {l.attributes.observed === true ? (
                    <span className="tag">seen in telemetry</span>
                  ) : (
                    <span className="muted">not seen in telemetry</span>
                  )}
                </li>
              ))}
              {links
                .filter((l) => l.dstKind !== 'end_user')
                .map((l) => (
                  <li key={`${l.dstKind}${l.dstId}`}>
                    {l.dstKind === 'trace' ? (
                      <>
                        trace <Link to={`/traces/${l.dstId}`}>{l.dstId}</Link>
                      </>
                    ) : l.dstKind === 'service' ? (
                      <>
                        service <Link to={`/map?highlight=${encodeURIComponent(l.dstId)}`}>{l.dstId}</Link>
                      </>
                    ) : l.dstKind === 'account' ? (
                      <>
                        account <Link to={`/search${qs({ account: l.dstId, kind: 'spans' })}`}>{who(l.dstId)}</Link>
                      </>
                    ) : (
                      `${l.dstKind} ${l.dstId}`
                    )}
                  </li>
                ))}
              {mentions
                .filter((m) => m.kind !== 'service' && m.kind !== 'email')
                .map((m) => (
                  <li key={`m${m.kind}${m.value}`}>
                    {m.kind} <code>{m.value}</code>
                  </li>
                ))}
            </ul>
          </>
        );
      }}
    </Load>
  );
}

function InvestigateButton({ subject }: { subject: InvestigationSubject }) {
  const inv = useInvestigate();
  return (
    <>
      <button type="button" onClick={() => inv.start(subject)} disabled={inv.busy}>
        {inv.busy ? 'Investigating…' : 'Investigate'}
      </button>
      {inv.error && <ErrorBox error={inv.error} />}
    </>
  );
}

// ---- deploys

/** Undecided deploys at the top of the list whose verdict is asked for (each is one request). */
const ASKED_VERDICTS = 20;

export function DeploysPage() {
  const [params] = useSearchParams();
  const service = params.get('service') ?? undefined;
  const state = useApi<{ deploys: Deploy[] }>(`/api/deploys${qs({ service, limit: 200 })}`);
  return (
    <>
      <PageHead title={service ? `Deploys of ${service}` : 'Deploys'} />
      <Load state={state} what="deploys">
        {({ deploys }) =>
          deploys.length === 0 ? (
            <Empty>No deploys recorded or inferred yet.</Empty>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Service</th>
                  <th scope="col">Version</th>
                  <th scope="col">Commit</th>
                  <th scope="col">How known</th>
                  <th scope="col">Verification</th>
                </tr>
              </thead>
              <tbody>
                {deploys.map((d, i) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/deploys/${d.id}`}>{time(d.deployedAt)}</Link>
                    </td>
                    <td>
                      <Link to={`/deploys${qs({ service: d.service })}`}>{d.service}</Link>
                    </td>
                    <td>{d.version}</td>
                    <td className="sha">{short(d.commitSha)}</td>
                    <td>{d.inferred ? 'inferred from telemetry' : d.source}</td>
                    <td>
                      <DeployVerdictCell deploy={d} ask={i < ASKED_VERDICTS} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Load>
    </>
  );
}

export function DeployPage() {
  const { id } = useParams();
  const state = useApi<DeployDetail>(`/api/deploys/${id}`);
  return (
    <Load state={state} what="the deploy">
      {({ deploy: d, range }) => (
        <>
          <PageHead title={`Deploy of ${d.service} ${d.version}`}>
            <ExplainButton target={d.service} label={`Explain ${d.service}`} />
          </PageHead>
          <p className="muted">
            {time(d.deployedAt)} · {d.inferred ? 'inferred from telemetry' : `recorded by ${d.source}`} · commit{' '}
            <span className="sha">{short(d.commitSha)}</span>
            {range.base && (
              <>
                {' '}
                after <span className="sha">{short(range.base)}</span>
              </>
            )}
          </p>
          {d.attributes.baseline === true ? (
            <section aria-labelledby="verification">
              <h2 id="verification">Verification</h2>
              <p className="muted">
                Not verified: this is the first version Orrery saw running, not a deploy it saw go out, so there is no
                version before it to compare with.
              </p>
            </section>
          ) : (
            <DeployVerificationSection deployId={d.id} />
          )}
          <h2>Commits it shipped ({range.commits.length})</h2>
          {range.note && <p className="muted">{range.note}</p>}
          {range.commits.length === 0 ? (
            <Empty>No commit is listed for this deploy.</Empty>
          ) : (
            <ul>
              {range.commits.map((c) => (
                <li key={c.sha}>
                  {range.repository ? (
                    <Link to={`/commits/${encodeURIComponent(range.repository.name)}/${c.sha}`}>{short(c.sha)}</Link>
                  ) : (
                    short(c.sha)
                  )}{' '}
                  {c.message.split('\n')[0]} <span className="muted">{c.authorName}</span>
                </li>
              ))}
            </ul>
          )}
          <p>
            <Link to={`/deploys${qs({ service: d.service })}`}>Every deploy of {d.service}</Link>
          </p>
        </>
      )}
    </Load>
  );
}

// ---- commits

export function CommitPage() {
  const { repo = '', sha = '' } = useParams();
  const state = useApi<Json<CommitDetail>>(`/api/repos/${encodeURIComponent(repo)}/commits/${encodeURIComponent(sha)}`);
  return (
    <Load state={state} what="the commit">
      {({ commit, patch, truncated }) => (
        <>
          <PageHead title={`${short(commit.sha)} ${commit.message.split('\n')[0]}`} />
          <p className="muted">
            {repo} · {commit.authorName ?? 'unknown author'} · {time(commit.committedAt)}
          </p>
          <pre className="ticket-body">{commit.message}</pre>
          <ul>
            {commit.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className="add">+{f.additions ?? '?'}</span>{' '}
                <span className="del">−{f.deletions ?? '?'}</span>
              </li>
            ))}
          </ul>
          {truncated && <p className="muted">The diff is long; it is cut here.</p>}
          <DiffView patch={patch} />
        </>
      )}
    </Load>
  );
}

// ---- error groups and patterns

function windowParams(params: URLSearchParams) {
  return {
    since: params.get('since') ?? undefined,
    until: params.get('until') ?? undefined,
    service: params.get('service') ?? undefined,
  };
}

export function ErrorsPage() {
  const [params] = useSearchParams();
  const state = useApi<{ errors: ErrorGroupSummary[] }>(`/api/errors${qs({ ...windowParams(params), limit: 100 })}`);
  return (
    <>
      <PageHead title="Error groups" />
      <Load state={state} what="error groups">
        {({ errors }) =>
          errors.length === 0 ? (
            <Empty>No errors in the last hour.</Empty>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Error</th>
                  <th scope="col">Service</th>
                  <th scope="col">Events</th>
                  <th scope="col">Users</th>
                  <th scope="col">Trend</th>
                  <th scope="col">First seen</th>
                </tr>
              </thead>
              <tbody>
                {errors.map((e) => (
                  <tr key={`${e.service}:${e.fingerprint}`}>
                    <td>
                      <Link to={`/errors/${e.fingerprint}${qs({ service: e.service })}`}>
                        {e.type}: {e.message}
                      </Link>
                      <div className="muted">{e.culprit}</div>
                    </td>
                    <td>{e.service}</td>
                    <td>{num(e.count)}</td>
                    <td>{num(e.users)}</td>
                    <td>
                      <Sparkline series={e.series} label="events" /> {e.trend}
                    </td>
                    <td>{ago(e.firstSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Load>
    </>
  );
}

export function ErrorPage() {
  const { fingerprint = '' } = useParams();
  const [params] = useSearchParams();
  const state = useApi<{ error: ErrorGroupDetail }>(
    `/api/errors/${encodeURIComponent(fingerprint)}${qs(windowParams(params))}`,
  );
  return (
    <Load state={state} what="the error group">
      {({ error: e }) => (
        <>
          <PageHead title={`${e.type}: ${e.message}`}>
            <ExplainButton target={e.service} label={`Explain ${e.service}`} />
          </PageHead>
          <p className="muted">
            {e.service} · {num(e.count)} events · {num(e.users)} users · first seen {time(e.firstSeen)} in{' '}
            {e.firstRelease ?? 'an unknown version'}
          </p>
          <h2>Stack (innermost first)</h2>
          <ol className="frames">
            {e.frames.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: frames are positional
              <li key={i} className={f.inApp ? 'in-app' : 'muted'}>
                <code>{f.function}</code> {f.file}
                {f.line !== null ? `:${f.line}` : ''}
                {f.inApp && f.function && <ExplainButton target={f.function} />}
              </li>
            ))}
          </ol>
          <h2>Samples</h2>
          <ul>
            {e.samples.map((s) => (
              <li key={`${s.time}${s.traceId}`}>
                {time(s.time)}{' '}
                {s.traceId ? <Link to={`/traces/${s.traceId}`}>trace {s.traceId.slice(0, 12)}</Link> : null}{' '}
                <span className="muted">{s.message}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Load>
  );
}

export function PatternsPage() {
  const [params] = useSearchParams();
  const state = useApi<{ patterns: PatternSummary[] }>(`/api/patterns${qs({ ...windowParams(params), limit: 200 })}`);
  return (
    <>
      <PageHead title="Log patterns" />
      <Load state={state} what="log patterns">
        {({ patterns }) =>
          patterns.length === 0 ? (
            <Empty>No log lines in the last hour.</Empty>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Template</th>
                  <th scope="col">Service</th>
                  <th scope="col">Level</th>
                  <th scope="col">Lines</th>
                  <th scope="col">Users</th>
                  <th scope="col">Trend</th>
                </tr>
              </thead>
              <tbody>
                {patterns.map((p) => (
                  <tr key={`${p.service}:${p.key}`}>
                    <td>
                      <Link to={`/patterns/${p.key}${qs({ service: p.service })}`}>
                        <code>{p.template}</code>
                      </Link>
                      {p.site && <div className="muted">{p.site}</div>}
                    </td>
                    <td>{p.service}</td>
                    <td>{p.level ?? '–'}</td>
                    <td>{num(p.count)}</td>
                    <td>{num(p.users)}</td>
                    <td>
                      <Sparkline series={p.series} label="lines" /> {p.trend}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Load>
    </>
  );
}

export function PatternPage() {
  const { key = '' } = useParams();
  const [params] = useSearchParams();
  const state = useApi<{ pattern: PatternDetail }>(
    `/api/patterns/${encodeURIComponent(key)}${qs(windowParams(params))}`,
  );
  return (
    <Load state={state} what="the pattern">
      {({ pattern: p }) => (
        <>
          <PageHead title={<code>{p.template}</code>}>
            <ExplainButton target={p.service} label={`Explain ${p.service}`} />
          </PageHead>
          <p className="muted">
            {p.service} · {p.level ?? 'no level'} · {num(p.count)} lines · {num(p.users)} users
            {p.site ? ` · logged at ${p.site}` : ''}
            {p.site && <ExplainButton target={p.site} />}
          </p>
          <Sparkline series={p.series} label="lines per bucket" width={320} height={40} />
          <h2>Samples</h2>
          <ul>
            {p.samples.map((s) => (
              <li key={`${s.time}${s.body}`}>
                {time(s.time)} {s.traceId ? <Link to={`/traces/${s.traceId}`}>trace</Link> : null} <code>{s.body}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </Load>
  );
}

// ---- investigations

export function InvestigationsPage() {
  const state = useApi<{ investigations: InvestigationSummary[] }>('/api/investigations?limit=100');
  return (
    <>
      <PageHead title="Investigations" />
      <Load state={state} what="investigations">
        {({ investigations }) =>
          investigations.length === 0 ? (
            <Empty>No investigation yet. Start one from a problem, a ticket, or `orrery investigate`.</Empty>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Findings</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {investigations.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <Link to={`/investigations/${i.id}`}>#{i.id}</Link>
                    </td>
                    <td>{subjectText(i.subject)}</td>
                    <td>{i.findings}</td>
                    <td>{i.priority === null ? '–' : i.priority.toFixed(2)}</td>
                    <td>{ago(i.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Load>
    </>
  );
}
