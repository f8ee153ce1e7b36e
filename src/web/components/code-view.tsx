// Source lines with their blame (from /api/blame at the synced head): the lines a finding
// points at highlighted, each line's last commit beside it, the suspect's lines marked; beside
// them the Explain panel for the code in view (collapsed unless asked open).
import { Link } from 'react-router-dom';
import type { BlameResult, Json } from '../../model/index.js';
import { qs, useApi } from '../api';
import { short } from '../format';
import { ExplainAside } from './explain-panel';
import { Load } from './states';

const CONTEXT = 4;

export function CodeView({
  repository,
  path,
  start,
  end,
  focus,
  suspect,
  explain,
  explainOpen = false,
}: {
  repository: string;
  path: string;
  start: number;
  end: number;
  /** Lines to highlight (the function, a frame's line). */
  focus: ReadonlySet<number>;
  /** The suspect commit: its lines are marked. */
  suspect?: string | null;
  /** What the Explain panel explains: by default `path:line` of the first focused line. */
  explain?: string;
  explainOpen?: boolean;
}) {
  const from = Math.max(1, start - CONTEXT);
  const first = focus.size > 0 ? Math.min(...focus) : start;
  const to = Math.max(from, Math.min(end + CONTEXT, from + 400));
  const state = useApi<Json<BlameResult>>(`/api/blame${qs({ repo: repository, path, start: from, end: to })}`);
  return (
    <div className="code-explain">
      <Load state={state} what={`${path} with its blame`}>
        {(b) => (
          <div className="scroll">
            <table className="code" aria-label={`${path} lines ${from} to ${to}, at ${short(b.rev)}`}>
              <tbody>
                {b.lines.map((l) => (
                  <tr
                    key={l.line}
                    className={[focus.has(l.line) ? 'focus' : '', suspect && l.sha === suspect ? 'suspect' : ''].join(
                      ' ',
                    )}
                  >
                    <td className="blame">
                      <Link
                        to={`/commits/${encodeURIComponent(repository)}/${l.sha}`}
                        title={`${l.summary} — ${l.authorName}, ${l.authorTime}`}
                      >
                        {short(l.sha).slice(0, 8)}
                      </Link>{' '}
                      <span className="muted">{l.authorName}</span>
                    </td>
                    <td className="ln">{l.line}</td>
                    <td className="src">
                      <code>{l.text}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Load>
      <ExplainAside target={explain ?? `${path}:${first}`} open={explainOpen} />
    </div>
  );
}

/** A unified diff, each line coloured by what it does. */
export function DiffView({ patch }: { patch: string }) {
  const lines = patch.split('\n');
  return (
    <div className="scroll">
      <pre className="diff">
        {lines.map((l, i) => {
          const cls =
            l.startsWith('+++') || l.startsWith('---') || l.startsWith('diff ') || l.startsWith('index ')
              ? 'meta'
              : l.startsWith('@@')
                ? 'hunk'
                : l.startsWith('+')
                  ? 'add'
                  : l.startsWith('-')
                    ? 'del'
                    : '';
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff's lines are positional
            <span key={i} className={cls}>
              {l}
              {'\n'}
            </span>
          );
        })}
      </pre>
    </div>
  );
}
