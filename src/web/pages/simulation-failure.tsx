// A failure simulation's result: the verdict in words (how many entry endpoints fail, degrade
// or are unaffected), the service map with the failed service and the outcome of each service
// on a path to it, each entry endpoint's outcome with its predicted error rate and latency
// against the measured baseline and why, and the people and open tickets behind the affected ones.
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import type { FailureOutcome, FailureSimulationResult } from '../../model/index.js';
import { IntervalChart } from '../components/interval-chart';
import { SimulationMap } from '../components/sim-map';
import { OUTCOME_BANDS, failurePaint } from '../components/sim-paint';
import { figure, ms, msOrInf, num, share } from '../format';

const BANDS = Object.values(OUTCOME_BANDS);
const OUTCOME_WORDS: Record<FailureOutcome, string> = {
  failed: 'fails',
  degraded: 'degraded',
  unaffected: 'unaffected',
};

export function FailureResultView({ r }: { r: FailureSimulationResult }) {
  const paint = useMemo(() => failurePaint(r), [r]);
  const affected = r.summary.failed + r.summary.degraded;
  return (
    <>
      <section aria-labelledby="verdict-head">
        <h2 id="verdict-head">
          Verdict: {r.service} {r.modeText}
        </h2>
        <ul className="verdict">
          <li>
            Of {r.endpoints.length} entry endpoints, <strong>{r.summary.failed} fail</strong>,{' '}
            <strong>{r.summary.degraded} degrade</strong> and {r.summary.unaffected} are unaffected.
          </li>
          {r.people && affected > 0 && (
            <li>
              The affected endpoints served {r.people.users === null ? 'unknown' : num(r.people.users)} users and{' '}
              {r.people.accounts === null ? 'unknown' : num(r.people.accounts)} accounts from{' '}
              {r.people.since.slice(0, 10)} to {r.people.until.slice(0, 10)}
              {r.tickets.length > 0 && <>; {r.tickets.length} open tickets name them or their people</>}.
            </li>
          )}
        </ul>
        <details>
          <summary>What failed, degraded and unaffected mean</summary>
          <ul>
            {r.definitions.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </details>
      </section>
      <section aria-labelledby="map-head">
        <h2 id="map-head">Service map</h2>
        <SimulationMap
          calibration={r.window}
          paint={paint}
          bands={BANDS}
          caption={`${r.service} made to fail (${r.modeText}); every other service by the worst outcome of the endpoints whose calls pass through it`}
        />
      </section>
      <EndpointsTable r={r} />
      <PeopleAndTickets r={r} />
    </>
  );
}

function EndpointsTable({ r }: { r: FailureSimulationResult }) {
  return (
    <section aria-labelledby="endpoints-head">
      <h2 id="endpoints-head">Entry endpoints: predicted against the measured baseline</h2>
      <p className="muted">
        Each predicted figure is the estimate with the 10th–90th percentile over {r.replicates} bootstrap replicates in
        brackets. In the charts the grey bar is the baseline, the blue bar the prediction and the whisker its interval.
      </p>
      <div className="scroll">
        <table className="list sim-endpoints">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Outcome</th>
              <th scope="col">Errors: baseline → predicted</th>
              <th scope="col">p95: baseline → predicted</th>
              <th scope="col">Reaches {r.service}</th>
              <th scope="col">Why</th>
              <th scope="col">Latency chart</th>
            </tr>
          </thead>
          <tbody>
            {r.endpoints.map((e) => {
              const name = `${e.service} ${e.endpoint}`;
              const band = OUTCOME_BANDS[e.outcome];
              return (
                <tr key={name} data-endpoint={name} data-outcome={e.outcome}>
                  <th scope="row">
                    {name}
                    <div className="muted">
                      {num(e.baseline.requests)} requests measured
                      {e.people?.users != null && <>, {num(e.people.users)} users in the look-back</>}
                    </div>
                  </th>
                  <td>
                    <span
                      className="swatch"
                      aria-hidden="true"
                      style={{ background: band.fill, borderColor: band.border }}
                    />
                    <strong>{OUTCOME_WORDS[e.outcome]}</strong>
                  </td>
                  <td className="errors">
                    {share(e.baseline.errorRate)} → {figure(e.errorRate, share)}
                  </td>
                  <td className="p95">
                    {ms(e.baseline.p95)} → {figure(e.p95, msOrInf)}
                  </td>
                  <td>
                    {share(e.reach)} of its requests
                    {e.paths.length > 0 && <div className="muted">{e.paths.join('; ')}</div>}
                  </td>
                  <td>{e.why}</td>
                  <td>
                    <IntervalChart
                      title={`${name} latency`}
                      format={msOrInf}
                      rows={[
                        { label: 'p50', baseline: e.baseline.p50, predicted: e.p50 },
                        { label: 'p95', baseline: e.baseline.p95, predicted: e.p95 },
                      ]}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PeopleAndTickets({ r }: { r: FailureSimulationResult }) {
  const p = r.people;
  if (!p && r.tickets.length === 0) return null;
  return (
    <section aria-labelledby="people-head">
      <h2 id="people-head">Who is exposed</h2>
      {p && (
        <>
          <p>
            Most active on the affected endpoints, {p.since.slice(0, 10)} to {p.until.slice(0, 10)}:
          </p>
          <ul aria-label="Most active users and accounts">
            {p.topUsers.map((u) => (
              <li key={`u ${u.id}`}>
                user {u.id} ({num(u.requests)} requests)
              </li>
            ))}
            {p.topAccounts.map((a) => (
              <li key={`a ${a.id}`}>
                account {a.id} ({num(a.requests)} requests)
              </li>
            ))}
          </ul>
        </>
      )}
      {r.tickets.length > 0 && (
        <>
          <h3>Open tickets</h3>
          <ul>
            {r.tickets.map((t) => (
              <li key={t.id}>
                <Link to={`/tickets/${t.id}`}>
                  #{t.id} {t.title}
                </Link>{' '}
                <span className="muted">
                  ({t.status}; {t.why})
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
