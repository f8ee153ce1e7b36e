// A deploy's verification verdict wherever a deploy appears (lists, the timeline's deploys, a
// problem's suspected deploy): a tag whose accessible name says what it is, linking to the
// deploy's page where the findings behind it are. A decided verdict comes with the deploy; an
// undecided one is asked for (GET /api/deploys/:id/verification) only where the caller allows.
import { Link } from 'react-router-dom';
import type { Deploy, DeployVerdict, DeployVerification } from '../../model/index.js';
import { useApi } from '../api';
import { shouldAsk } from './verdict-ask';

const MARK: Record<DeployVerdict, string> = { healthy: '✓', regressed: '✗', inconclusive: '?', watching: '…' };

/** The verdict as words a timeline label or a caption can carry. */
export function verdictText(v: DeployVerdict | null | undefined): string {
  return v ? `${MARK[v]} ${v}` : 'not verified';
}

/** A verdict's tag, a link to the deploy's verification. */
export function VerdictTag({
  deployId,
  verdict,
  title,
  detail,
}: {
  deployId: number;
  verdict: DeployVerdict;
  /** The verification's summary, as the tag's tooltip. */
  title?: string;
  /** A few words after the verdict, such as the minutes watched. */
  detail?: string;
}) {
  return (
    <Link
      to={`/deploys/${deployId}#verification`}
      className={`tag verdict verdict-${verdict}`}
      aria-label={`verification: ${verdict}${detail ? `, ${detail}` : ''} (deploy ${deployId})`}
      title={title}
    >
      <span aria-hidden="true">{MARK[verdict]}</span> {verdict}
      {detail ? <span className="verdict-detail"> {detail}</span> : null}
    </Link>
  );
}

/** The minutes watched so far, for a verdict still being watched. */
function watched(v: DeployVerification): string | undefined {
  return v.verdict === 'watching' ? `${v.watch.looks} of ${v.watch.minutes} min` : undefined;
}

/** A deploy's verdict, asked for now: for a deploy whose list entry carries none. */
export function AskedVerdict({ deployId }: { deployId: number }) {
  const state = useApi<DeployVerification>(`/api/deploys/${deployId}/verification`);
  if (state.error) return <span className="muted">verdict unavailable</span>;
  if (!state.data) return <span className="muted">…</span>;
  const v = state.data;
  return <VerdictTag deployId={deployId} verdict={v.verdict} title={v.summary} detail={watched(v)} />;
}

/**
 * A listed deploy's verdict: the decided one it carries; a baseline (the version Orrery saw
 * running, not deployed) is not verified; an undecided recent one is asked for when `ask`
 * allows (verdict-ask), else linked as not decided or, when old, not verified.
 */
export function DeployVerdictCell({ deploy, ask }: { deploy: Deploy; ask: boolean }) {
  if (deploy.verdict)
    return (
      <VerdictTag
        deployId={deploy.id}
        verdict={deploy.verdict.verdict}
        title={`decided ${deploy.verdict.decidedAt} by ${deploy.verdict.algorithm}`}
      />
    );
  if (deploy.attributes.baseline === true) return <span className="muted">not verified (baseline)</span>;
  const recent = shouldAsk(deploy, Date.now());
  if (ask && recent) return <AskedVerdict deployId={deploy.id} />;
  return (
    <Link to={`/deploys/${deploy.id}#verification`} className="muted">
      {recent ? 'not decided' : 'not verified'}
    </Link>
  );
}
