// An investigation as a person reads it: the summary (finding ids link to the findings), a
// timeline with the deploys over the error, log and latency series, the findings with their
// evidence, the code with its blame, the suspect commit's diff, who is hurt over time, the
// related tickets, and a re-run that records what changed.
import { type ReactNode, useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
// The typed reads come from their own zod-free file, so the bundle does not carry the schemas.
import { findingsOf, isRcaSignal } from '../../model/finding-reads.js';
import type {
  CommitDetail,
  Deploy,
  ErrorGroupShow,
  Finding,
  FindingOf,
  Investigation,
  InvestigationSubject,
  Json,
  LatencySeries,
  PatternShow,
} from '../../model/index.js';
import { qs, useApi } from '../api';
import { CodeView, DiffView } from '../components/code-view';
import { FindingCard } from '../components/evidence';
import { PageHead } from '../components/layout';
import { Sparkline } from '../components/sparkline';
import { ErrorBox, Load } from '../components/states';
import { DeployVerdictCell, verdictText } from '../components/verdict';
import { Timeline, type TimelineMarker, type TimelineSeries, seriesColor } from '../components/timeline';
import { num, short, time, who } from '../format';
import { useInvestigate } from './problem';

export function subjectText(s: InvestigationSubject): string {
  if (s.kind === 'ticket') return `ticket #${s.ticketId}`;
  if (s.kind === 'problem') return `problem #${s.problemId}`;
  return `alert on ${s.service}${s.endpoint ? ` ${s.endpoint}` : ''} since ${time(s.since)}`;
}

/** The summary with each [F3] a link to that finding. */
function Cited({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/\[(F\d+)\]/g)) {
    parts.push(text.slice(last, m.index));
    parts.push(
      <a key={m.index} href={`#${m[1]}`}>
        [{m[1]}]
      </a>,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return <p className="summary">{parts}</p>;
}

function InvestigationTimeline({ inv }: { inv: Investigation }) {
  const r = inv.result;
  const fs = r.findings;
  const roots = findingsOf(fs, 'root_cause_service').map((f) => f.data.service);
  const service = roots[0] ?? (r.subject.kind === 'alert' ? r.subject.service : null);
  // The incident and as much before it again (at least 10 minutes, within the baseline): the change stands out against what came just before.
  const span = Math.max(10 * 60_000, Date.parse(r.window.until) - Date.parse(r.window.since));
  const since = new Date(Math.max(Date.parse(r.window.baselineSince), Date.parse(r.window.since) - span)).toISOString();
  const until = r.window.until;
  const buckets = Math.max(2, Math.min(120, Math.round((Date.parse(until) - Date.parse(since)) / 60_000)));
  const win = { since, until, buckets };
  const signal = findingsOf(fs, 'signal')
    .map((f) => f.data)
    .filter(isRcaSignal)
    .find((d) => d.kind === 'error-group' || d.kind === 'new-error-pattern' || d.kind === 'error-pattern');
  const sigPath = signal
    ? signal.kind === 'error-group'
      ? `/api/errors/${encodeURIComponent(signal.key)}${qs({ service: signal.service, ...win })}`
      : `/api/patterns/${encodeURIComponent(signal.key)}${qs({ service: signal.service, ...win })}`
    : null;
  const lat = useApi<LatencySeries>(service ? `/api/services/${encodeURIComponent(service)}/latency${qs(win)}` : null);
  // sigPath is an error group's or a pattern's: the answer has one of the two.
  const sig = useApi<Partial<Pick<ErrorGroupShow, 'error'> & Pick<PatternShow, 'pattern'>>>(sigPath);
  const deps = useApi<{ deploys: Deploy[] }>(`/api/deploys${qs({ since, until, limit: 100 })}`);
  const data = useMemo(() => {
    if (!lat.data) return null;
    const w = lat.data.window;
    const times = Array.from({ length: w.buckets }, (_, i) => Date.parse(w.since) + i * w.bucketSeconds * 1000);
    const series: TimelineSeries[] = [
      { label: `${service} errors`, values: lat.data.errors, unit: 'count', color: seriesColor(0) },
    ];
    const s = sig.data?.error ?? sig.data?.pattern;
    if (s && s.series.length === times.length)
      series.push({
        label: sig.data?.error ? `${sig.data.error.type ?? 'error group'}` : 'log pattern',
        values: s.series,
        unit: 'count',
        color: seriesColor(2),
      });
    series.push({ label: `${service} p95 latency`, values: lat.data.p95Ms, unit: 'ms', color: seriesColor(1) });
    const relevant = new Set([...roots, ...findingsOf(fs, 'change').map((f) => f.data.service)]);
    const markers: TimelineMarker[] = (deps.data?.deploys ?? [])
      .filter((d) => relevant.size === 0 || relevant.has(d.service))
      .map((d) => ({
        at: Date.parse(d.deployedAt),
        label: `${d.service} ${d.version}`,
        badge: d.verdict ? verdictText(d.verdict.verdict) : undefined,
        caption: <DeployVerdictCell deploy={d} ask />,
      }));
    return { times, series, markers };
  }, [lat.data, sig.data, deps.data, service, roots, fs]);
  if (!service) return <p className="muted">No service to draw: the investigation found none.</p>;
  if (lat.error) return <ErrorBox error={lat.error} retry={lat.reload} />;
  if (!data) return <p className="state">Loading the timeline…</p>;
  return (
    <Timeline
      times={data.times}
      series={data.series}
      markers={data.markers}
      title={`${service}, ${time(since)} to ${time(until)}`}
    />
  );
}

function CodeLocations({ fs }: { fs: Finding[] }) {
  const suspect = findingsOf(fs, 'suspect_commit')[0]?.data.sha ?? null;
  const places = findingsOf(fs, 'code_location').slice(0, 3);
  if (places.length === 0) return <p className="muted">The investigation points at no code.</p>;
  return (
    <>
      {places.map((f) => {
        const { repository: repo, path } = f.data;
        // A location without lines is the file as a whole: show it from the top.
        const start = f.data.startLine ?? 1;
        const end = f.data.endLine ?? start;
        const focus = new Set<number>();
        for (let l = start; l <= end; l++) focus.add(l);
        return (
          <section key={f.id} className="code-location" aria-labelledby={`${f.id}-code`}>
            <h3 id={`${f.id}-code`}>
              <a href={`#${f.id}`}>{f.id}</a> {f.data.symbol ?? ''} <span className="path">{path}</span>:{start}
            </h3>
            {repo && path ? (
              <CodeView repository={repo} path={path} start={start} end={end} focus={focus} suspect={suspect} />
            ) : (
              <p className="muted">No indexed repository holds this file.</p>
            )}
          </section>
        );
      })}
    </>
  );
}

function SuspectCommit({ f }: { f: FindingOf<'suspect_commit'> }) {
  const sha = f.data.sha;
  // The commit's repository; runs stored before it was recorded name it in their blame only.
  const repo = f.data.repository ?? f.data.blame.find((b) => b.repository)?.repository ?? null;
  const detail = useApi<Json<CommitDetail>>(repo ? `/api/repos/${encodeURIComponent(repo)}/commits/${sha}` : null);
  return (
    <section aria-labelledby="suspect-head">
      <h3 id="suspect-head">
        <a href={`#${f.id}`}>{f.id}</a> <span className="sha">{short(sha)}</span> {f.data.subject}{' '}
        <span className="muted">by {f.data.authorName ?? 'unknown'}</span>
      </h3>
      <p className="hint">{f.hint}</p>
      {!repo ? (
        <p className="muted">The commit's repository is not known, so its diff cannot be shown.</p>
      ) : (
        <Load state={detail} what="the commit's diff">
          {(d) => (
            <>
              <p>
                <Link to={`/commits/${encodeURIComponent(repo)}/${sha}`}>Open the commit</Link> —{' '}
                {d.commit.files.length} files
                {d.truncated ? ' (diff cut: it is long)' : ''}
              </p>
              <DiffView patch={d.patch} />
            </>
          )}
        </Load>
      )}
    </section>
  );
}

export function InvestigationPage() {
  const { id } = useParams();
  const state = useApi<{ investigation: Investigation }>(`/api/investigations/${id}`);
  const inv = useInvestigate();
  return (
    <Load state={state} what={`investigation #${id}`}>
      {({ investigation: i }) => {
        const r = i.result;
        const fs = r.findings;
        const impact = findingsOf(fs, 'impact');
        const related = findingsOf(fs, 'related_tickets')[0];
        const suspect = findingsOf(fs, 'suspect_commit')[0];
        const load = findingsOf(fs, 'load_change')[0];
        return (
          <>
            <PageHead title={`Investigation #${i.id}: ${subjectText(r.subject)}`}>
              <a className="button" href={`/api/investigations/${i.id}?format=markdown`}>
                Markdown
              </a>
              <button type="button" onClick={() => inv.start(r.subject)} disabled={inv.busy}>
                {inv.busy ? 'Re-running…' : 'Re-run'}
              </button>
            </PageHead>
            {inv.error && <ErrorBox error={inv.error} />}
            <p className="muted">
              {r.algorithm}, run {time(i.createdAt)}; window {time(r.window.since)} to {time(r.window.until)}, compared
              with {time(r.window.baselineSince)} to {time(r.window.baselineUntil)}
              {i.previousId ? (
                <>
                  {' '}
                  · re-run of <Link to={`/investigations/${i.previousId}`}>#{i.previousId}</Link>
                </>
              ) : null}
              {i.problemId ? (
                <>
                  {' '}
                  · <Link to={`/problems/${i.problemId}`}>problem #{i.problemId}</Link>
                </>
              ) : null}
            </p>
            <section aria-labelledby="summary-head">
              <h2 id="summary-head">Summary</h2>
              <Cited text={r.summary} />
              {r.narrative && (
                <blockquote className="narrative">
                  <Cited text={r.narrative.text} />
                  <footer className="muted">Written by {r.narrative.model}; it cites only the findings below.</footer>
                </blockquote>
              )}
              {r.priority && (
                <p>
                  Priority <strong>{r.priority.score.toFixed(2)}</strong>{' '}
                  <span className="muted">= {r.priority.formula}</span>
                </p>
              )}
              {i.diff && (i.diff.added.length > 0 || i.diff.removed.length > 0 || i.diff.changed.length > 0) && (
                <p className="diff-note">
                  Since #{i.previousId}: {i.diff.added.length} findings added, {i.diff.removed.length} removed,{' '}
                  {i.diff.changed.length} changed in confidence.
                </p>
              )}
              {r.gaps.length > 0 && (
                <ul className="gaps">
                  {r.gaps.map((g) => (
                    <li key={g}>{g}</li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="timeline-head">
              <h2 id="timeline-head">Timeline</h2>
              <InvestigationTimeline inv={i} />
            </section>
            <section aria-labelledby="impact-head">
              <h2 id="impact-head">Who is hurt</h2>
              {impact.length === 0 ? (
                <p className="muted">No impact was counted.</p>
              ) : (
                <table className="list">
                  <thead>
                    <tr>
                      <th scope="col">Service</th>
                      <th scope="col">Users</th>
                      <th scope="col">Accounts</th>
                      <th scope="col">Over time</th>
                      <th scope="col">Finding</th>
                    </tr>
                  </thead>
                  <tbody>
                    {impact.map((f) => (
                      <tr key={f.id}>
                        <td>{f.data.service}</td>
                        <td className="impact-users">{num(f.data.users)}</td>
                        <td>{num(f.data.accounts)}</td>
                        <td>
                          <Sparkline series={f.data.series} label="affected per bucket" width={160} height={28} />
                        </td>
                        <td>
                          <a href={`#${f.id}`}>{f.id}</a> {f.title}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="code-head">
              <h2 id="code-head">Code</h2>
              <CodeLocations fs={fs} />
            </section>
            <section aria-labelledby="commit-head">
              <h2 id="commit-head">Suspect commit</h2>
              {suspect ? (
                <SuspectCommit f={suspect} />
              ) : load ? (
                <p className="muted load-change">
                  No suspect commit: more load explains it, not a change of code: <a href={`#${load.id}`}>{load.id}</a>{' '}
                  {load.title}.
                </p>
              ) : (
                <p className="muted">No suspect commit: no deploy's range touched the code the evidence points at.</p>
              )}
            </section>
            <section aria-labelledby="tickets-head">
              <h2 id="tickets-head">Related tickets</h2>
              {related ? (
                <ul>
                  {related.data.tickets.map((t) => (
                    <li key={t.id}>
                      <Link to={`/tickets/${t.id}`}>{t.externalId}</Link>{' '}
                      {typeof t.score === 'number' && <span className="muted">score {t.score.toFixed(2)}</span>}
                      {t.duplicate && <span className="tag">duplicate</span>}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">No related ticket.</p>
              )}
            </section>
            <section aria-labelledby="findings-head">
              <h2 id="findings-head">Findings ({fs.length})</h2>
              {fs.map((f) => (
                <FindingCard key={f.id} f={f} />
              ))}
            </section>
            <p className="muted">
              Owners are shown as {who('h:0000000000')}-style ids when they were emails (stored hashed).
            </p>
          </>
        );
      }}
    </Load>
  );
}
