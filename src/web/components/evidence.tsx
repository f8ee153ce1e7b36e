// A finding as the investigation page shows it: what, how sure and why, with each piece of
// evidence behind a disclosure (keyboard-usable <details>) and a link to where it came from.
import { Link } from 'react-router-dom';
import type { Evidence, Finding } from '../../model/index.js';

/** The UI page for an API query an evidence item names, when there is one. */
export function uiLink(query: string | undefined): string | null {
  if (!query) return null;
  const [path = '', search = ''] = query.split('?');
  const q = search ? `?${search}` : '';
  let m = /^\/api\/(tickets|deploys|investigations|problems)\/(\d+)$/.exec(path);
  if (m) return `/${m[1]}/${m[2]}`;
  m = /^\/api\/(errors|patterns)\/([^/]+)$/.exec(path);
  if (m) return `/${m[1]}/${m[2]}${q}`;
  if (path === '/api/spans' || path === '/api/logs') return `/search${q}${q ? '&' : '?'}kind=${path.slice(5)}`;
  if (path === '/api/services') return `/map${q}`;
  return null;
}

function Rows({ rows }: { rows: Array<Record<string, unknown>> }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 8);
  return (
    <div className="scroll">
      <table className="rows">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 20).map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>
                  {typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]).slice(0, 200) : String(r[c] ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EvidenceItem({ e }: { e: Evidence }) {
  const link = uiLink(e.query);
  return (
    <details className="evidence">
      <summary>
        <span className="tag">{e.kind}</span> {e.summary}
      </summary>
      <div className="evidence-body">
        {link ? (
          <p>
            Source: <Link to={link}>{e.query}</Link>
          </p>
        ) : e.query ? (
          <p>
            Query: <code>{e.query}</code>
          </p>
        ) : null}
        {e.ref && (
          <p>
            Reference: <code>{e.ref}</code>
          </p>
        )}
        {e.rows && e.rows.length > 0 && <Rows rows={e.rows as Array<Record<string, unknown>>} />}
      </div>
    </details>
  );
}

export function Confidence({ value }: { value: number }) {
  return (
    <span className="confidence" title="confidence">
      <meter min={0} max={1} value={value} aria-label={`confidence ${Math.round(value * 100)}%`} />{' '}
      {Math.round(value * 100)}%
    </span>
  );
}

export function FindingCard({ f }: { f: Finding }) {
  return (
    <article className="finding" id={f.id} aria-labelledby={`${f.id}-title`}>
      <header>
        <span className="fid">{f.id}</span> <span className="tag">{f.kind.replace(/_/g, ' ')}</span>{' '}
        <strong id={`${f.id}-title`}>{f.title}</strong> <Confidence value={f.confidence} />
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
