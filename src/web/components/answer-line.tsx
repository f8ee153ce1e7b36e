// One line of an explain or ask answer with its citations, each a link: a `file:line` to the
// code view, a query to the page that shows its rows (answer-links.ts), else the API answer.
import { Link } from 'react-router-dom';
import type { AnswerLine, Evidence } from '../../model/index.js';
import { citationLabel, citationLink } from '../answer-links';

export function Citation({ e, repository }: { e: Evidence; repository?: string | null }) {
  const link = citationLink(e, repository ?? null);
  const label = citationLabel(e);
  if (!link)
    return (
      <span className="cite" title={e.summary}>
        {label}
      </span>
    );
  return link.page ? (
    <Link className="cite" to={link.to} title={e.summary}>
      {label}
    </Link>
  ) : (
    <a className="cite" href={link.to} title={`${e.summary} (the API's answer)`}>
      {label}
    </a>
  );
}

export function Citations({ evidence, repository }: { evidence: readonly Evidence[]; repository?: string | null }) {
  return (
    <span className="cites">
      {evidence.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a line's citations are positional
        <Citation key={i} e={e} repository={repository} />
      ))}
    </span>
  );
}

/** The line's text, then its citations. */
export function AnswerLineView({ line, repository }: { line: AnswerLine; repository?: string | null }) {
  return (
    <>
      <span className="answer-text">{line.text}</span> <Citations evidence={line.evidence} repository={repository} />
    </>
  );
}
