// The Explain panel: GET /api/explain for a symbol, route, service or file:line, shown as its
// sections (where it lives, callers and callees, routes, downstream calls, log statements, error
// groups, traffic, owners and commits, open problems), each line with its citation links. An
// unknown target shows the nearest names and an ambiguous one its candidates, each a button
// that explains it. `ExplainAside` is the collapsible panel beside a code view.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { ExplainRefusal, ExplainResult, Json } from '../../model/index.js';
import { explainRefusal, targetCodeLink } from '../answer-links';
import { ApiError, qs, useApi } from '../api';
import { time } from '../format';
import { AnswerLineView } from './answer-line';
import { ErrorBox, Loading } from './states';

function Refused({ refusal, onPick }: { refusal: ExplainRefusal; onPick: (target: string) => void }) {
  const { candidates, suggestions } = refusal;
  return (
    <div className="state refused" role="alert">
      <p>{candidates.length > 0 ? 'This names several things.' : 'Nothing is named like this.'}</p>
      {candidates.length > 0 ? (
        <>
          <p>Explain one of:</p>
          <ul className="candidates" aria-label="Candidates">
            {candidates.map((c, i) => {
              const spelled = suggestions[i] ?? c.name;
              return (
                <li key={spelled}>
                  <button type="button" className="link" onClick={() => onPick(spelled)}>
                    {spelled}
                  </button>{' '}
                  <span className="muted">
                    {c.kind}
                    {c.path ? ` in ${c.path}:${c.startLine ?? 1}` : ''}
                    {c.service ? `, ${c.service}` : ''}
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      ) : suggestions.length > 0 ? (
        <>
          <p>The nearest names:</p>
          <ul className="suggestions" aria-label="Suggestions">
            {suggestions.map((s) => (
              <li key={s}>
                <button type="button" className="link" onClick={() => onPick(s)}>
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">{refusal.message}</p>
      )}
    </div>
  );
}

function Explained({ r, here }: { r: Json<ExplainResult>; here?: string }) {
  const repo = r.target.repository;
  const code = targetCodeLink(r.target);
  return (
    <>
      <p className="explain-summary">
        <span className="tag">{r.target.kind}</span> <AnswerLineView line={r.summary} repository={repo} />
      </p>
      {code && code !== here && (
        <p>
          <Link to={code}>
            Show {r.target.kind === 'location' ? 'the code around it' : r.target.name} in the code view
            {r.target.startLine !== null && r.target.endLine !== null && r.target.endLine > r.target.startLine
              ? ` (lines ${r.target.startLine}–${r.target.endLine})`
              : ''}
          </Link>
        </p>
      )}
      {r.sections.map((s) => (
        <section key={s.title} className="explain-section" aria-label={s.title}>
          <h3>{s.title}</h3>
          {s.lines.length === 0 ? (
            <p className="muted">{s.empty ?? 'Nothing.'}</p>
          ) : (
            <ul>
              {s.lines.map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a section's lines are positional
                <li key={i}>
                  <AnswerLineView line={l} repository={repo} />
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
      {r.gaps.length > 0 && (
        <section className="gaps" aria-label="What could not be read">
          <h3>What could not be read</h3>
          <ul>
            {r.gaps.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </section>
      )}
      <p className="muted small">
        {r.algorithm}, telemetry {time(r.window.since)} to {time(r.window.until)}
      </p>
    </>
  );
}

/**
 * Explains `target`. A picked suggestion goes to `onTarget` when given (the drawer keeps the
 * target in the address); otherwise the panel explains it in place.
 */
export function ExplainPanel({
  target,
  onTarget,
  here,
}: {
  target: string;
  onTarget?: (target: string) => void;
  /** The address of the page it sits on, so it does not link to itself. */
  here?: string;
}) {
  const [picked, setPicked] = useState(target);
  useEffect(() => setPicked(target), [target]);
  const current = onTarget ? target : picked;
  const state = useApi<Json<{ explain: ExplainResult }>>(`/api/explain${qs({ target: current })}`);
  const pick = onTarget ?? setPicked;
  const refusal =
    state.error instanceof ApiError && state.error.status === 400 ? explainRefusal(state.error.body) : null;
  return (
    <div className="explain" aria-busy={state.loading}>
      <p className="explain-target">
        Explain <code>{current}</code>
      </p>
      {refusal ? (
        <Refused refusal={refusal} onPick={pick} />
      ) : state.error ? (
        <ErrorBox error={state.error} retry={state.reload} />
      ) : state.loading || state.data === null ? (
        <Loading what={`what the code and the traces say about ${current}`} />
      ) : (
        <Explained r={state.data.explain} here={here} />
      )}
    </div>
  );
}

/** The Explain panel beside a code view: collapsed to a button, open on demand (or from the start). */
export function ExplainAside({
  target,
  open: initially = false,
  here,
}: {
  target: string;
  open?: boolean;
  here?: string;
}) {
  const [open, setOpen] = useState(initially);
  return (
    <aside className={`explain-aside${open ? ' open' : ''}`} aria-label={`Explain ${target}`}>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide explain' : 'Explain'}
      </button>
      {open && <ExplainPanel target={target} here={here} />}
    </aside>
  );
}
