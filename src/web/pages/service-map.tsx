// The service map: the graph traces drew in the window, each call's rate, error rate and
// latency on its edge, a problem's services highlighted (`?highlight=a,b`), and the same
// edges as a table (readable without the canvas).
import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { ServiceGraph } from '../../model/index.js';
import { qs, useApi } from '../api';
import { ExplainButton } from '../components/explain-drawer';
import { PageHead } from '../components/layout';
import { ServiceGraphView } from '../components/service-graph';
import { Empty, Load } from '../components/states';
import { ms, num, pct } from '../format';

const WINDOWS: Array<[string, number]> = [
  ['15 min', 15],
  ['1 h', 60],
  ['6 h', 360],
  ['24 h', 1440],
];

export function ServiceMapPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const minutes = Number(params.get('minutes') ?? 60) || 60;
  const highlight = useMemo(
    () => new Set((params.get('highlight') ?? params.get('service') ?? '').split(',').filter(Boolean)),
    [params],
  );
  // Fixed for this view's lifetime, so a re-render does not refetch.
  const since = useMemo(
    () => params.get('since') ?? new Date(Date.now() - minutes * 60_000).toISOString(),
    [params, minutes],
  );
  const state = useApi<ServiceGraph>(`/api/services/graph${qs({ since, until: params.get('until') ?? undefined })}`);
  const select = useMemo(() => (service: string) => navigate(`/errors${qs({ service })}`), [navigate]);
  return (
    <>
      <PageHead title="Service map">
        {WINDOWS.map(([label, m]) => (
          <button
            key={m}
            type="button"
            aria-pressed={m === minutes}
            onClick={() => {
              const next = new URLSearchParams(params);
              next.set('minutes', String(m));
              next.delete('since');
              setParams(next);
            }}
          >
            {label}
          </button>
        ))}
      </PageHead>
      <Load state={state} what="the service graph">
        {(g) =>
          g.nodes.length === 0 ? (
            <Empty>No traces in this window, so no services to draw.</Empty>
          ) : (
            <>
              {highlight.size > 0 && <p>Highlighted: {[...highlight].join(', ')}</p>}
              <ServiceGraphView
                nodes={g.nodes}
                edges={g.edges}
                highlight={highlight}
                minutes={(Date.parse(g.window.until) - Date.parse(g.window.since)) / 60_000}
                onSelect={select}
              />
              <h2>Calls</h2>
              <table className="list edges">
                <thead>
                  <tr>
                    <th scope="col">Caller</th>
                    <th scope="col">Callee</th>
                    <th scope="col">Calls</th>
                    <th scope="col">Error rate</th>
                    <th scope="col">p50</th>
                    <th scope="col">p99</th>
                  </tr>
                </thead>
                <tbody>
                  {g.edges.map((e) => (
                    <tr
                      key={`${e.caller}->${e.callee}`}
                      className={highlight.has(e.caller) && highlight.has(e.callee) ? 'hot' : ''}
                    >
                      <td>
                        {e.caller} <ExplainButton target={e.caller} />
                      </td>
                      <td>
                        <Link to={`/errors${qs({ service: e.callee })}`}>{e.callee}</Link>{' '}
                        <ExplainButton target={e.callee} />
                      </td>
                      <td>{num(e.calls)}</td>
                      <td>{pct(e.errorRate)}</td>
                      <td>{ms(e.p50Ms)}</td>
                      <td>{ms(e.p99Ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </Load>
    </>
  );
}
