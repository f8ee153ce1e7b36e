// Explain from any page: an Explain link beside a symbol, route or service a page shows opens
// the Explain panel as a drawer at the side, its target kept in the address (`?explain=`) so
// the page and the panel together are a deep link. Picking a suggestion moves the drawer on.
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { withExplain } from '../answer-links';
import { ExplainPanel } from './explain-panel';

/** A small link that opens the Explain drawer on `target`, staying on this page. */
export function ExplainButton({ target, label = 'Explain' }: { target: string; label?: string }) {
  const location = useLocation();
  return (
    <Link
      className="explain-button"
      to={{ pathname: location.pathname, search: withExplain(location.search, target) }}
      aria-label={`Explain ${target}`}
      title={`Explain ${target}: where it lives, callers, routes, traffic, owners`}
    >
      {label}
    </Link>
  );
}

/** The drawer, drawn by the layout on every page when the address names a target. */
export function ExplainDrawer() {
  const location = useLocation();
  const navigate = useNavigate();
  const target = new URLSearchParams(location.search).get('explain');
  if (!target) return null;
  const go = (t: string | null) => navigate({ pathname: location.pathname, search: withExplain(location.search, t) });
  return (
    <aside className="explain-drawer" aria-label="Explain">
      <div className="drawer-head">
        <strong>Explain</strong>
        <button type="button" onClick={() => go(null)} aria-label="Close explain">
          Close
        </button>
      </div>
      <ExplainPanel target={target} onTarget={go} here={location.pathname + location.search} />
    </aside>
  );
}
