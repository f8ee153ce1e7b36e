// The stored simulations, newest first, each with its verdict in a line, and the form that runs a
// load simulation (POST /api/simulations) and opens the result; the server's refusal (a 400 and
// its reason) is shown in the form, beside the fields it is about.
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { Simulation, SimulationHeadline, SimulationSummary } from '../../model/index.js';
import { api, useApi } from '../api';
import { PageHead } from '../components/layout';
import { Empty, Load } from '../components/states';
import { ago, factor, num, time } from '../format';
import { requestTitle } from './simulation';

export function SimulationsPage() {
  const state = useApi<{ simulations: SimulationSummary[] }>('/api/simulations?limit=100');
  return (
    <>
      <PageHead title="Simulations">
        <Link className="button" to="/simulations/change">
          Blast radius of a change
        </Link>
      </PageHead>
      <LoadForm />
      <FailureForm />
      <h2 id="runs-head">Runs</h2>
      <Load state={state} what="the simulations">
        {({ simulations }) =>
          simulations.length === 0 ? (
            <Empty>
              No simulations yet. Run one with the form above, or from a shell with{' '}
              <code>orrery simulate load --factor 2</code>.
            </Empty>
          ) : (
            <table className="list simulations" aria-labelledby="runs-head">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Simulation</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Algorithm</th>
                  <th scope="col">Calibration window</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {simulations.map((s) => (
                  <tr key={s.id} data-simulation={s.id}>
                    <td>{s.id}</td>
                    <td>
                      <Link to={`/simulations/${s.id}`}>{requestTitle(s.request)}</Link>
                      <div className="muted">{s.kind}</div>
                    </td>
                    <td>{s.headline ? <Headline h={s.headline} /> : '–'}</td>
                    <td>{s.algorithm}</td>
                    <td>
                      {s.window ? (
                        <>
                          {time(s.window.since)} to {time(s.window.until)}{' '}
                          <span className="muted">
                            ({num((Date.parse(s.window.until) - Date.parse(s.window.since)) / 60_000)} min)
                          </span>
                        </>
                      ) : (
                        '–'
                      )}
                    </td>
                    <td>{ago(s.createdAt)}</td>
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

function Headline({ h }: { h: SimulationHeadline }) {
  if (h.kind === 'change')
    return (
      <>
        {h.entryEndpoints} entry endpoints exposed ({h.runtimeConfirmed} runtime-confirmed, {h.staticOnly} static-only)
        across {h.services} services
      </>
    );
  if (h.kind === 'failure')
    return (
      <>
        {h.summary.failed} endpoints fail, {h.summary.degraded} degrade, {h.summary.unaffected} unaffected
      </>
    );
  const b = h.bottleneck;
  return (
    <>
      {b
        ? `${b.service} ${b.resource === 'cpu' ? 'CPU' : 'pool'} saturates at ${factor(b.saturatesAt)}`
        : `nothing saturates below ${h.scannedTo}×`}
      ; {h.knee === null ? `no knee below ${h.scannedTo}×` : `knee at ${factor(h.knee)}`}
    </>
  );
}

/** Posts a simulation request and opens the result; the server's refusal is kept for the form to show. */
function useRun(bodyOf: (f: FormData) => Record<string, unknown>) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { simulation } = await api<{ simulation: Simulation }>('/api/simulations', {
        method: 'POST',
        body: bodyOf(new FormData(e.currentTarget)),
      });
      navigate(`/simulations/${simulation.id}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

/** While a run is asked for, and the server's refusal after (its id is the form's aria-describedby). */
function RunState({ busy, error, id }: { busy: boolean; error: string | null; id: string }) {
  return (
    <>
      {busy && (
        <p className="state" role="status">
          Calibrating and simulating; this takes a few seconds…
        </p>
      )}
      {error && (
        <div id={id} className="state error" role="alert">
          <strong>The server did not run it:</strong> {error}
        </div>
      )}
    </>
  );
}

function FailureForm() {
  const { busy, error, submit } = useRun((f) => {
    const text = (k: string) => String(f.get(k) ?? '').trim();
    return {
      kind: 'failure',
      service: text('service'),
      mode: text('mode'),
      ...(text('window') ? { window: text('window') } : {}),
    };
  });
  return (
    <section aria-labelledby="fail-head" className="run-form">
      <h2 id="fail-head">Simulate a dependency failure</h2>
      <p className="muted">
        Replays the window's sampled requests with one service down, slow or failing a share of its answers, under the
        timeouts and retries the traces and manifests show, and predicts which entry endpoints fail, degrade or are
        unaffected.
      </p>
      <form className="search sim-form" onSubmit={submit} aria-describedby={error ? 'fail-error' : undefined}>
        <label>
          Service
          <input name="service" required placeholder="payments" />
        </label>
        <label>
          Mode
          <input name="mode" required defaultValue="down" aria-describedby="mode-hint" />
          <span id="mode-hint" className="hint-text">
            down, slow=2s or errors=30%
          </span>
        </label>
        <label>
          Window
          <input name="window" defaultValue="30m" aria-label="Failure calibration window" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Simulating…' : 'Run failure simulation'}
        </button>
      </form>
      <RunState busy={busy} error={error} id="fail-error" />
    </section>
  );
}

/** The request body the form's fields make (blank fields left out, so the server's defaults apply). */
function loadBody(f: FormData): Record<string, unknown> {
  const text = (k: string) => String(f.get(k) ?? '').trim();
  const set = text('set')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return {
    kind: 'load',
    factor: Number(text('factor')),
    ...(text('endpoint') ? { endpoint: text('endpoint') } : {}),
    ...(set.length ? { set } : {}),
    ...(text('window') ? { window: text('window') } : {}),
  };
}

function LoadForm() {
  const { busy, error, submit } = useRun(loadBody);
  return (
    <section aria-labelledby="run-head" className="run-form">
      <h2 id="run-head">Simulate more load</h2>
      <p className="muted">
        Calibrates a model on the window's traces and the imported manifests, then predicts each entry endpoint's
        latency and errors and each service's utilization at the given multiple of that traffic.
      </p>
      <form className="search sim-form" onSubmit={submit} aria-describedby={error ? 'run-error' : undefined}>
        <label>
          Load factor
          <input
            name="factor"
            type="number"
            step="any"
            defaultValue="2"
            required
            aria-describedby="factor-hint"
            inputMode="decimal"
          />
          <span id="factor-hint" className="hint-text">
            × the calibrated traffic
          </span>
        </label>
        <label>
          Endpoint (optional)
          <input name="endpoint" placeholder="web /checkout" aria-describedby="endpoint-hint" />
          <span id="endpoint-hint" className="hint-text">
            only this entry endpoint's traffic grows
          </span>
        </label>
        <label>
          Window
          <input name="window" defaultValue="30m" aria-describedby="window-hint" />
          <span id="window-hint" className="hint-text">
            calibration window ending now: 30m, 2h
          </span>
        </label>
        <label className="wide">
          Settings (optional)
          <textarea
            name="set"
            rows={3}
            placeholder={'catalog.replicas=3\ncatalog.env.DB_POOL_SIZE=4'}
            aria-describedby="set-hint"
          />
          <span id="set-hint" className="hint-text">
            one <code>service.setting=value</code> per line, as <code>--set</code>
          </span>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Simulating…' : 'Run simulation'}
        </button>
      </form>
      <RunState busy={busy} error={error} id="run-error" />
    </section>
  );
}
