// A load simulation's result: the verdict in words (the first bottleneck and the knee), the
// settings it changed, the service map coloured by each service's busiest resource, each
// service's resources, each entry endpoint's predicted latency and errors against the measured
// baseline (a table, with an interval chart per endpoint), and the calls with timeouts or retries.
import { useMemo } from 'react';
import type { LoadSimulationResult } from '../../model/index.js';
import { IntervalChart } from '../components/interval-chart';
import { SimulationMap } from '../components/sim-map';
import { UTILIZATION_BANDS, loadPaint, utilizationBand } from '../components/sim-paint';
import { factor, figure, ms, msOrInf, num, share } from '../format';

const BANDS = Object.values(UTILIZATION_BANDS);

/** A load factor of the knee or bottleneck scans; null is past the scan's end. */
const beyond = (r: LoadSimulationResult) => (x: number | null) => (x === null ? `>${r.scannedTo}×` : factor(x));

export function LoadVerdict({ r }: { r: LoadSimulationResult }) {
  const b = r.bottleneck;
  return (
    <ul className="verdict">
      <li>
        {b ? (
          <>
            The first bottleneck is{' '}
            <strong>
              {b.service}'s {b.resource === 'cpu' ? 'CPU' : 'connection pool'}
            </strong>
            , saturating at {figure(b.saturatesAt, beyond(r))} the calibrated load; at {r.factor}× it is{' '}
            {figure(b.utilization, share)} busy.
          </>
        ) : (
          <>Nothing saturates below {r.scannedTo}× the calibrated load.</>
        )}
      </li>
      <li>
        {r.knee.value === null ? (
          <>
            Latency does not take off (no entry endpoint's p95 passes twice its 1× value) below {r.scannedTo}×
            {r.knee.p10 !== null && <> (in some replicates from {factor(r.knee.p10)})</>}.
          </>
        ) : (
          <>
            Latency takes off (an entry endpoint's p95 passes twice its 1× value) at{' '}
            <strong>{figure(r.knee, beyond(r))}</strong> the calibrated load.
          </>
        )}
      </li>
    </ul>
  );
}

export function LoadResultView({ r }: { r: LoadSimulationResult }) {
  const paint = useMemo(() => loadPaint(r), [r]);
  return (
    <>
      <section aria-labelledby="verdict-head">
        <h2 id="verdict-head">
          Verdict at {r.factor}× {r.endpoint ? `the traffic of ${r.endpoint}` : 'the traffic'}
        </h2>
        <LoadVerdict r={r} />
        {r.settings.length > 0 && (
          <>
            <h3>Settings changed</h3>
            <ul>
              {r.settings.map((s) => (
                <li key={s.set}>
                  {s.setting}: {s.from} → {s.to} <code>--set {s.set}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="map-head">
        <h2 id="map-head">Service map</h2>
        <SimulationMap
          calibration={r.window}
          paint={paint}
          bands={BANDS}
          caption={`coloured by each service's busiest resource at ${r.factor}× the load`}
        />
      </section>
      <ServicesTable r={r} />
      <EndpointsTable r={r} />
      <EdgesTable r={r} />
    </>
  );
}

function ServicesTable({ r }: { r: LoadSimulationResult }) {
  return (
    <section aria-labelledby="services-head">
      <h2 id="services-head">Services</h2>
      <table className="list sim-services">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Replicas</th>
            <th scope="col">Resource</th>
            <th scope="col">Servers</th>
            <th scope="col">Utilization: 1× → predicted</th>
            <th scope="col">Added wait</th>
            <th scope="col">Failing here</th>
          </tr>
        </thead>
        <tbody>
          {r.services.flatMap((s) =>
            s.resources.map((x, i) => {
              const band = utilizationBand(x.utilization.value, x.saturated);
              return (
                <tr key={`${s.service} ${x.kind}`} data-service={s.service} data-band={band.id}>
                  <td>{i === 0 ? s.service : ''}</td>
                  <td>
                    {s.replicas.baseline === s.replicas.predicted
                      ? s.replicas.predicted
                      : `${s.replicas.baseline} → ${s.replicas.predicted}`}
                  </td>
                  <td>{x.kind === 'cpu' ? 'CPU' : 'pool'}</td>
                  <td>{x.servers}</td>
                  <td>
                    <span
                      className="swatch"
                      aria-hidden="true"
                      style={{ background: band.fill, borderColor: band.border }}
                    />
                    {share(x.baselineUtilization)} → {figure(x.utilization, share)}
                    {x.saturated && <strong> saturated</strong>}
                  </td>
                  <td>{figure(x.waitMs, msOrInf)}</td>
                  <td>{figure(x.failShare, share)}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </section>
  );
}

function EndpointsTable({ r }: { r: LoadSimulationResult }) {
  return (
    <section aria-labelledby="endpoints-head">
      <h2 id="endpoints-head">Entry endpoints: predicted against the measured baseline</h2>
      <p className="muted">
        Each predicted figure is the estimate with the 10th–90th percentile over {r.replicates} bootstrap replicates in
        brackets; ∞ is a queue that grows for as long as the load lasts. In the charts the grey bar is the 1× baseline,
        the blue bar the prediction and the whisker its interval.
      </p>
      <div className="scroll">
        <table className="list sim-endpoints">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Requests/s: 1× → predicted</th>
              <th scope="col">p50: 1× → predicted</th>
              <th scope="col">p95: 1× → predicted</th>
              <th scope="col">Errors: 1× → predicted</th>
              <th scope="col">Knee</th>
              <th scope="col">Latency chart</th>
            </tr>
          </thead>
          <tbody>
            {r.endpoints.map((e) => {
              const name = `${e.service} ${e.endpoint}`;
              return (
                <tr key={name} data-endpoint={name}>
                  <th scope="row">
                    {name}
                    <div className="muted">{num(e.baseline.requests)} requests measured</div>
                  </th>
                  <td>
                    {num(e.rate.baseline)} → {num(e.rate.predicted)}
                  </td>
                  <td className="p50">
                    {ms(e.baseline.p50)} → {figure(e.predicted.p50, msOrInf)}
                  </td>
                  <td className="p95">
                    {ms(e.baseline.p95)} → {figure(e.predicted.p95, msOrInf)}
                  </td>
                  <td className="errors">
                    {share(e.baseline.errorRate)} → {figure(e.predicted.errorRate, share)}
                  </td>
                  <td>{figure(e.knee, beyond(r))}</td>
                  <td>
                    <IntervalChart
                      title={`${name} latency`}
                      format={msOrInf}
                      rows={[
                        { label: 'p50', baseline: e.baseline.p50, predicted: e.predicted.p50 },
                        { label: 'p95', baseline: e.baseline.p95, predicted: e.predicted.p95 },
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

function EdgesTable({ r }: { r: LoadSimulationResult }) {
  if (r.edges.length === 0) return null;
  return (
    <section aria-labelledby="edges-head">
      <h2 id="edges-head">Calls with timeouts or retries</h2>
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Call</th>
            <th scope="col">Attempt timeouts</th>
            <th scope="col">First attempts timing out</th>
            <th scope="col">Load multiplier</th>
            <th scope="col">Failing every attempt</th>
          </tr>
        </thead>
        <tbody>
          {r.edges.map((e) => (
            <tr key={`${e.caller}->${e.callee}`}>
              <td>
                {e.caller} → {e.callee}
              </td>
              <td>{e.attemptTimeoutsMs.map((t) => (t === null ? 'none' : ms(t))).join(', ')}</td>
              <td>{figure(e.timeoutShare, share)}</td>
              <td>{figure(e.loadMultiplier, (x) => (x === null ? '∞' : `${x.toFixed(2)}×`))}</td>
              <td>{figure(e.failShare, share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
