// One stored simulation: what was asked, by which algorithm on which calibration window, what
// the prediction rests on (validity, inputs, assumptions, warnings), then the result drawn by
// its kind's component (a switch on `result.kind`).
import { Link, useParams } from 'react-router-dom';
import type { Simulation, SimulationRequest, SimulationResult } from '../../model/index.js';
import { useApi } from '../api';
import { PageHead } from '../components/layout';
import { ValiditySection } from '../components/sim-validity';
import { Empty, Load } from '../components/states';
import { num, share, time } from '../format';
import { BlastRadiusView } from './blast-radius';
import { FailureResultView } from './simulation-failure';
import { LoadResultView } from './simulation-load';

/** What was asked, in a few words: `3× the traffic of web /checkout`. */
export function requestTitle(q: SimulationRequest): string {
  switch (q.kind) {
    case 'load':
      return `${q.factor}× the traffic${q.endpoint ? ` of ${q.endpoint}` : ''}${q.set.length ? `, with ${q.set.join(', ')}` : ''}`;
    case 'failure':
      return `${q.service} ${q.mode}`;
    case 'change':
      return q.deploy !== null
        ? `what deploy ${q.deploy} shipped`
        : `${q.range}${q.repository ? ` in ${q.repository}` : ''}`;
  }
}

export function SimulationPage() {
  const { id } = useParams();
  const state = useApi<{ simulation: Simulation }>(`/api/simulations/${id}`);
  return (
    <Load state={state} what="the simulation">
      {({ simulation: s }) => {
        const r = s.result;
        const minutes = s.window ? (Date.parse(s.window.until) - Date.parse(s.window.since)) / 60_000 : null;
        return (
          <>
            <PageHead title={`Simulation #${s.id}: ${requestTitle(s.request)}`}>
              <Link className="button" to="/simulations">
                All simulations
              </Link>
              <a className="button" href={`/api/simulations/${s.id}?format=markdown`}>
                Markdown
              </a>
            </PageHead>
            {r.kind === 'change' ? (
              <p className="muted sim-meta">
                <span className="algorithm">{s.algorithm}</span>, run {time(s.createdAt)}
              </p>
            ) : (
              <>
                <p className="muted sim-meta">
                  <span className="algorithm">{s.algorithm}</span>, run {time(s.createdAt)}
                  {s.window && (
                    <>
                      ; calibrated on {time(s.window.since)} to {time(s.window.until)} ({num(minutes)} min,{' '}
                      {num(r.traces)} traces{r.sampled < 1 ? `, ${share(r.sampled)} of them read` : ''})
                    </>
                  )}
                </p>
                <ValiditySection
                  validity={r.validity}
                  inputs={r.inputs}
                  assumptions={r.assumptions}
                  warnings={r.warnings}
                />
              </>
            )}
            <ResultView result={r} />
          </>
        );
      }}
    </Load>
  );
}

function ResultView({ result }: { result: SimulationResult }) {
  switch (result.kind) {
    case 'load':
      return <LoadResultView r={result} />;
    case 'failure':
      return <FailureResultView r={result} />;
    case 'change':
      return <BlastRadiusView r={result} />;
    default:
      return (
        <Empty>
          This page does not draw {(result as { kind: string }).kind} simulations yet; the Markdown link above has the
          whole result.
        </Empty>
      );
  }
}
