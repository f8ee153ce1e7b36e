// A deploy's verification on its page: the verdict and why, what was compared (the previous
// version over the baseline against the deployed one), the findings with their evidence, the
// controls, and the tests of the deciding minute. While the deploy is watched it is asked again
// every half minute.
import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import type { DeployVerification, VerifyFinding, VerifyTest } from '../../model/index.js';
import { useApi } from '../api';
import { time } from '../format';
import { Confidence, EvidenceItem } from './evidence';
import { ErrorBox } from './states';

const REFRESH_MS = 30_000;
const TESTS_SHOWN = 12;

function fig(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(2);
}

function FindingItem({ f }: { f: VerifyFinding }) {
  const id = `verify-${f.id}`;
  return (
    <article className="finding" id={id} aria-labelledby={`${id}-title`}>
      <header>
        <span className="fid">{f.id}</span> <span className="tag">{f.kind.replace(/_/g, ' ')}</span>{' '}
        <strong id={`${id}-title`}>{f.title}</strong> <Confidence value={f.confidence} />
      </header>
      <p className="hint">{f.hint}</p>
      <div className="evidence-list">
        {f.evidence.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: evidence items are listed in order, without ids
          <EvidenceItem key={i} e={e} />
        ))}
      </div>
    </article>
  );
}

function TestsTable({ tests }: { tests: VerifyTest[] }) {
  return (
    <div className="scroll">
      <table className="list verify-tests">
        <caption className="muted">
          {tests.length > TESTS_SHOWN
            ? `The ${TESTS_SHOWN} strongest of ${tests.length} tests`
            : `${tests.length} tests`}{' '}
          at the deciding (or latest) minute; a test passes when p is below its level and the rise is large enough
        </caption>
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col">Measure</th>
            <th scope="col">Of</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
            <th scope="col">p</th>
            <th scope="col">Level</th>
            <th scope="col">Passed</th>
          </tr>
        </thead>
        <tbody>
          {tests.slice(0, TESTS_SHOWN).map((t) => (
            <tr key={`${t.family}:${t.key}:${t.measure}`}>
              <td>{t.family}</td>
              <td>{t.measure}</td>
              <td>{t.label ?? t.key}</td>
              <td>{fig(t.before)}</td>
              <td>{fig(t.after)}</td>
              <td>{t.p.toExponential(1)}</td>
              <td>{t.level.toExponential(1)}</td>
              <td>{t.passed ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function VerificationView({ v }: { v: DeployVerification }) {
  const { load, otherDeploys } = v.controls;
  return (
    <>
      <p>
        <span className={`tag verdict verdict-${v.verdict}`}>{v.verdict}</span> <span>{v.summary}</span>
      </p>
      <dl className="facts">
        <dt>Compared</dt>
        <dd>
          {v.previousVersion ?? 'the version before'} over the {v.baseline.minutes} minutes before the deploy (
          {time(v.baseline.since)} to {time(v.baseline.until)}) against {v.version} from {time(v.after.since)}
        </dd>
        <dt>Watch window</dt>
        <dd>
          {v.watch.looks} of {v.watch.minutes} minutes looked at; ends {time(v.watch.endsAt)}
          {v.decidedAt ? `; decided with the minute ending ${time(v.decidedAt)}` : ''}
        </dd>
        <dt>Traffic</dt>
        <dd>
          {v.traffic.before} requests before, {v.traffic.after} after ({v.traffic.minimum} needed on each side for
          healthy)
        </dd>
        <dt>False-alarm level</dt>
        <dd>
          {v.alpha.overall} overall, {fig(v.alpha.perFamily)} for each of {v.alpha.families} families
        </dd>
        <dt>Entry load</dt>
        <dd>
          {load
            ? `${fig(load.before)} → ${fig(load.after)} requests per minute (${fig(load.ratio)}×${load.changed ? ', a change' : ''})`
            : 'no entry requests seen'}
        </dd>
        <dt>Other deploys</dt>
        <dd>
          {otherDeploys.length === 0
            ? 'none in the window'
            : otherDeploys.map((o) => (
                <Link key={o.id} to={`/deploys/${o.id}`} className="chip">
                  {o.service} {o.version} ({o.relation}
                  {o.changed ? ', changed' : ''})
                </Link>
              ))}
        </dd>
        {v.problemId !== null && (
          <>
            <dt>Problem</dt>
            <dd>
              <Link to={`/problems/${v.problemId}`}>problem #{v.problemId}</Link>
            </dd>
          </>
        )}
      </dl>
      <h3>Findings ({v.findings.length})</h3>
      {v.findings.length === 0 ? (
        <p className="muted">No finding: no test has passed.</p>
      ) : (
        v.findings.map((f) => <FindingItem key={f.id} f={f} />)
      )}
      {v.tests.length > 0 && <TestsTable tests={v.tests} />}
      <p className="muted">
        {v.algorithm}, evaluated {time(v.evaluatedAt)}
      </p>
    </>
  );
}

/** The deploy's verification, asked for (and again every half minute while it is watched). */
export function DeployVerificationSection({ deployId }: { deployId: number }) {
  const state = useApi<DeployVerification>(`/api/deploys/${deployId}/verification`);
  const watching = state.data?.verdict === 'watching';
  const { reload } = state;
  useEffect(() => {
    if (!watching) return;
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [watching, reload]);
  // A verdict tag links to #verification: the section is there once the answer is.
  const loaded = state.data !== null;
  useEffect(() => {
    if (loaded && window.location.hash === '#verification') document.getElementById('verification')?.scrollIntoView();
  }, [loaded]);
  return (
    <section aria-labelledby="verification" className="verification">
      <h2 id="verification">Verification</h2>
      {state.error ? (
        <ErrorBox error={state.error} retry={state.reload} />
      ) : state.data ? (
        <VerificationView v={state.data} />
      ) : (
        <p className="state">Loading the verification…</p>
      )}
    </section>
  );
}
