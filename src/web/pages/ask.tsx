// Ask (`/ask?q=…[&since=…&until=…]`): the question posted to /api/ask and its answer — the model's prose when it
// passed the citation check, then the deterministic answer (a path's steps, or its lines) with
// every citation a link, what the words named (each thing that lives in code or can be explained
// linked), the files, and what could not be read. With no lines: that nothing answered, and why.
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { AnswerEntity, AskResult, Json } from '../../model/index.js';
import { codeLink, parseRef } from '../answer-links';
import { api } from '../api';
import { AnswerLineView } from '../components/answer-line';
import { ExplainButton } from '../components/explain-drawer';
import { PageHead } from '../components/layout';
import { ErrorBox, Loading } from '../components/states';
import { time } from '../format';

const EXAMPLES = [
  'how does web reach payments',
  'what calls summarizeCart',
  'where is "payment declined" logged',
  'who owns the code behind GET /carts/:user',
  'where is the discount handled',
];

/** The entity kinds explain takes by name. */
const EXPLAINABLE: ReadonlySet<AnswerEntity['kind']> = new Set(['service', 'endpoint', 'route', 'symbol']);

/** Posts the question (with the address's window, when it names one) and keeps the answer. */
function useAsk(question: string, range: { since?: string; until?: string }) {
  const [state, setState] = useState<{ data: Json<AskResult> | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: question !== '',
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (question === '') {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const ctrl = new AbortController();
    setState({ data: null, error: null, loading: true });
    const body = { question, ...range };
    api<Json<{ ask: AskResult }>>('/api/ask', { method: 'POST', body, signal: ctrl.signal }).then(
      (r) => setState({ data: r.ask, error: null, loading: false }),
      (error: Error) => {
        if (!ctrl.signal.aborted) setState({ data: null, error, loading: false });
      },
    );
    return () => ctrl.abort();
  }, [question, range.since, range.until, tick]);
  return { ...state, reload };
}

function RefLink({ at: r }: { at: string | null }) {
  const at = r ? parseRef(r) : null;
  if (!at) return <span className="muted">—</span>;
  return (
    <Link className="path" to={codeLink(at.path, { line: at.line })}>
      {r}
    </Link>
  );
}

function Entities({ list }: { list: Json<AnswerEntity>[] }) {
  if (list.length === 0) return null;
  return (
    <section aria-labelledby="ask-entities">
      <h2 id="ask-entities">What the question names</h2>
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Service</th>
            <th scope="col">Code</th>
            <th scope="col">
              <span className="sr-only">Explain</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.slice(0, 12).map((e) => (
            <tr key={`${e.kind} ${e.name}`}>
              <td>{e.kind}</td>
              <td>
                {e.kind === 'ticket' ? <Link to={`/tickets/${encodeURIComponent(e.name)}`}>{e.name}</Link> : e.name}
              </td>
              <td>{e.service ?? ''}</td>
              <td>
                <RefLink at={e.ref} />
              </td>
              <td>{EXPLAINABLE.has(e.kind) && <ExplainButton target={e.name} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Answer({ r }: { r: Json<AskResult> }) {
  const nothing = r.lines.length === 0 && (r.path === null || r.path.length === 0);
  return (
    <>
      <p className="muted">
        A {r.intent} question · {r.algorithm} · telemetry {time(r.window.since)} to {time(r.window.until)}
      </p>
      {nothing ? (
        <p className="state empty nothing" role="status">
          {r.answer.text}
        </p>
      ) : (
        <>
          {r.answer.source === 'llm' && (
            <section className="narrative" aria-label="Answer in prose">
              <p>{r.answer.text}</p>
              <p className="muted">Written by {r.answer.model} over the lines below; its citations were checked.</p>
            </section>
          )}
          {r.path && r.path.length > 0 ? (
            <section aria-labelledby="ask-path">
              <h2 id="ask-path">Path</h2>
              <ol className="answer-lines path-steps">
                {r.path.map((s, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional
                  <li key={i}>
                    <span className="tag">{s.kind}</span> <AnswerLineView line={s.line} />
                  </li>
                ))}
              </ol>
            </section>
          ) : (
            <section aria-labelledby="ask-answer">
              <h2 id="ask-answer">Answer</h2>
              <ul className="answer-lines">
                {r.lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                  <li key={i}>
                    <AnswerLineView line={l} />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      <Entities list={r.entities} />
      {r.files.length > 0 && (
        <section aria-labelledby="ask-files">
          <h2 id="ask-files">Files</h2>
          <ul>
            {r.files.map((f) => (
              <li key={f}>
                <Link className="path" to={codeLink(f)}>
                  {f}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {r.gaps.length > 0 && (
        <section className="gaps" aria-labelledby="ask-gaps">
          <h2 id="ask-gaps">What could not be read</h2>
          <ul>
            {r.gaps.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

export function AskPage() {
  const [params] = useSearchParams();
  const question = (params.get('q') ?? '').trim();
  const since = params.get('since') ?? undefined;
  const until = params.get('until') ?? undefined;
  const state = useAsk(question, { since, until });
  if (question === '')
    return (
      <>
        <PageHead title="Ask" />
        <p>
          Ask about the system in the box at the top. The answer comes from the code index and the traces, and every
          line cites a file:line or the rows behind it. For example:
        </p>
        <ul>
          {EXAMPLES.map((q) => (
            <li key={q}>
              <Link to={`/ask?${new URLSearchParams({ q })}`}>{q}</Link>
            </li>
          ))}
        </ul>
      </>
    );
  return (
    <>
      <PageHead title={question} />
      {state.error ? (
        <ErrorBox error={state.error} retry={state.reload} />
      ) : state.loading || state.data === null ? (
        <Loading what="the answer" />
      ) : (
        <Answer r={state.data} />
      )}
    </>
  );
}
