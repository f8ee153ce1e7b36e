// Proposals: one row each (what the model's Proposal holds, the decisions in proposal_decision),
// and the execution's claim. Every state change here is a conditional UPDATE on the status the
// caller read, so two requests or two nodes racing on one proposal change it once; callers
// pass the transaction that also writes the audit entry.
import type {
  ApprovalDecision,
  ApprovalPolicy,
  DryRunDiff,
  Evidence,
  ExecutionReport,
  Precondition,
  Proposal,
  ProposalAction,
  ProposalBlastRadius,
  ProposalExecution,
  ProposalSimulation,
  ProposalOutcome,
  ProposalOutcomeVerdict,
  ProposalSource,
  ProposalStatus,
  ProposalSummary,
  NoticeDelivery,
  NoticeEvent,
  ProposalNotices,
  RiskAssessment,
  RiskTier,
} from '../model/index.js';
import type { Queryable, Row } from './db.js';

const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** What the row's `body` column holds: the parts of a proposal only read whole. */
interface Body {
  rationale: string;
  evidence: Evidence[];
  simulation: ProposalSimulation | null;
  simulationNote: string | null;
  preconditions: Precondition[];
  blastRadius: ProposalBlastRadius;
  diff: DryRunDiff;
  risk: RiskAssessment;
  approval: ApprovalPolicy;
  /** The approver webhook's deliveries, by event (absent until one is due). */
  notices?: Record<
    string,
    { attempts: number; nextAt: string | null; sentAt: string | null; lastError: string | null }
  >;
}

export interface ProposalWrite extends Omit<Body, 'notices'> {
  algorithm: string;
  title: string;
  action: ProposalAction;
  source: ProposalSource;
  proposer: string;
  expiresAt: Date;
}

function decisionOf(r: Row): ApprovalDecision {
  return {
    actor: String(r.actor),
    actorName: (r.actor_name as string | null) ?? null,
    verdict: r.verdict as ApprovalDecision['verdict'],
    comment: (r.comment as string | null) ?? null,
    at: iso(r.at),
    counted: Boolean(r.counted),
    why: String(r.why),
  };
}

function executionOf(r: Row): ProposalExecution | null {
  if (r.claimed_at === null || r.claimed_at === undefined) return null;
  const e = r.execution === null || r.execution === undefined ? null : json<Partial<ProposalExecution>>(r.execution);
  return {
    executor: String(r.executor ?? e?.executor ?? ''),
    node: String(r.claimed_by ?? ''),
    attempts: Number(r.attempts),
    claimedAt: iso(r.claimed_at),
    finishedAt: r.executed_at ? iso(r.executed_at) : null,
    report: e?.report ?? null,
    error: e?.error ?? null,
    recovery: e?.recovery ?? null,
  };
}

function proposalOf(r: Row, decisions: ApprovalDecision[]): Proposal {
  const body = json<Body>(r.body);
  return {
    id: Number(r.id),
    algorithm: String(r.algorithm),
    status: r.status as ProposalStatus,
    title: String(r.title),
    action: json<ProposalAction>(r.action),
    source: json<ProposalSource>(r.source),
    rationale: body.rationale,
    evidence: body.evidence,
    simulation: body.simulation,
    simulationNote: body.simulationNote,
    preconditions: body.preconditions,
    blastRadius: body.blastRadius,
    diff: body.diff,
    risk: body.risk,
    approval: { ...body.approval, counted: decisions.filter((d) => d.verdict === 'approve' && d.counted).length },
    proposer: String(r.proposer),
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    decisions,
    execution: executionOf(r),
    outcome: r.outcome === null || r.outcome === undefined ? null : json<ProposalOutcome>(r.outcome),
    notices: noticesOf(body.notices),
  };
}

/** The stored deliveries with their times as ISO strings (the database writes its own format). */
function noticesOf(v: unknown): ProposalNotices {
  const raw = (v === null || v === undefined ? {} : json<Body['notices']>(v)) ?? {};
  const at = (s: string | null) => (s === null ? null : iso(s));
  const out: ProposalNotices = {};
  for (const [event, d] of Object.entries(raw))
    out[event as NoticeEvent] = {
      attempts: Number(d.attempts),
      nextAt: at(d.nextAt),
      sentAt: at(d.sentAt),
      lastError: d.lastError,
    } satisfies NoticeDelivery;
  return out;
}

export async function insertProposal(q: Queryable, w: ProposalWrite): Promise<number> {
  const body: Body = {
    rationale: w.rationale,
    evidence: w.evidence,
    simulation: w.simulation,
    simulationNote: w.simulationNote,
    preconditions: w.preconditions,
    blastRadius: w.blastRadius,
    diff: w.diff,
    risk: w.risk,
    approval: w.approval,
  };
  const target =
    'service' in w.action ? (w.action.service ?? '') : 'services' in w.action ? w.action.services.join(',') : '';
  const [row] = await q.query(
    `INSERT INTO proposal (kind, target, investigation_id, status, algorithm, title, action, source, body, tier,
                           approvals_required, proposer, expires_at, executor)
     VALUES ($1, $2, $3, 'proposed', $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13) RETURNING id`,
    [
      w.action.kind,
      target,
      w.source.kind === 'investigation' ? w.source.id : null,
      w.algorithm,
      w.title,
      JSON.stringify(w.action),
      JSON.stringify(w.source),
      JSON.stringify(body),
      w.risk.tier,
      w.approval.required,
      w.proposer,
      w.expiresAt,
      w.diff.executor,
    ],
  );
  return Number(row!.id);
}

/** The proposal, with `FOR UPDATE` when `lock` (inside a transaction: decisions and claims serialize on it). */
export async function getProposal(q: Queryable, id: number, opts: { lock?: boolean } = {}): Promise<Proposal | null> {
  const [r] = await q.query(
    `SELECT * FROM proposal WHERE id = $1 AND algorithm IS NOT NULL${opts.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!r) return null;
  const ds = await q.query('SELECT * FROM proposal_decision WHERE proposal_id = $1 ORDER BY at, actor', [id]);
  return proposalOf(r, ds.map(decisionOf));
}

export interface ProposalFilter {
  status?: ProposalStatus;
  /** Only proposals made for this triage problem: from it, or from one of its investigations. */
  problem?: number;
  limit: number;
}

export async function listProposals(q: Queryable, f: ProposalFilter): Promise<ProposalSummary[]> {
  const rows = await q.query(
    `SELECT p.id, p.status, p.title, p.kind, p.tier, p.approvals_required, p.proposer, p.created_at, p.expires_at,
            p.executor, p.source, p.outcome->>'verdict' AS outcome, p.body->'notices' AS notices,
            (SELECT count(*) FROM proposal_decision d
              WHERE d.proposal_id = p.id AND d.verdict = 'approve' AND d.counted)::int8 AS counted
       FROM proposal p
      WHERE p.algorithm IS NOT NULL AND ($1::text IS NULL OR p.status = $1)
        AND ($3::int8 IS NULL
             OR (p.source->>'kind' = 'problem' AND (p.source->>'id')::int8 = $3)
             OR p.investigation_id IN (SELECT i.id FROM investigation i WHERE i.problem_id = $3))
      ORDER BY p.id DESC LIMIT $2`,
    [f.status ?? null, f.limit, f.problem ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    status: r.status as ProposalStatus,
    title: String(r.title),
    kind: r.kind as ProposalSummary['kind'],
    tier: r.tier as RiskTier,
    approvals: { counted: Number(r.counted), required: Number(r.approvals_required) },
    proposer: String(r.proposer),
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    executor: (r.executor as string | null) ?? null,
    source: json<ProposalSource>(r.source),
    outcome: (r.outcome as ProposalOutcomeVerdict | null) ?? null,
    notices: noticesOf(r.notices),
  }));
}

export async function insertDecision(q: Queryable, id: number, d: Omit<ApprovalDecision, 'at'>): Promise<void> {
  await q.query(
    `INSERT INTO proposal_decision (proposal_id, actor, actor_name, verdict, comment, counted, why)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, d.actor, d.actorName, d.verdict, d.comment, d.counted, d.why],
  );
}

/** Moves a proposal from one status to another; false when it was no longer in `from`. */
export async function setStatus(q: Queryable, id: number, from: ProposalStatus, to: ProposalStatus): Promise<boolean> {
  const rows = await q.query('UPDATE proposal SET status = $3 WHERE id = $1 AND status = $2 RETURNING id', [
    id,
    from,
    to,
  ]);
  return rows.length === 1;
}

/** Proposals still waiting (proposed or approved) whose expiry has passed, by the database's clock. */
export async function expiredIds(q: Queryable): Promise<number[]> {
  const rows = await q.query(
    "SELECT id FROM proposal WHERE status IN ('proposed', 'approved') AND expires_at <= now() AND algorithm IS NOT NULL ORDER BY id",
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Claims an approved, unexpired proposal for `node`: the one statement that decides which node
 * runs it. Null when it is not (or no longer) approved, or has expired.
 */
export async function claim(
  q: Queryable,
  id: number,
  node: string,
  executor: string,
  leaseMs: number,
): Promise<{ attempts: number } | null> {
  const rows = await q.query(
    `UPDATE proposal
        SET status = 'executing', claimed_by = $2, claimed_at = now(), executor = $3,
            lease_until = now() + ($4::int8 * interval '1 millisecond'), attempts = attempts + 1,
            execution = NULL, executed_at = NULL
      WHERE id = $1 AND status = 'approved' AND expires_at > now()
      RETURNING attempts`,
    [id, node, executor, leaseMs],
  );
  return rows[0] ? { attempts: Number(rows[0].attempts) } : null;
}

/** Extends the running claim's lease; false when the claim is no longer this node's. */
export async function renewLease(q: Queryable, id: number, node: string, leaseMs: number): Promise<boolean> {
  const rows = await q.query(
    `UPDATE proposal SET lease_until = now() + ($3::int8 * interval '1 millisecond')
      WHERE id = $1 AND status = 'executing' AND claimed_by = $2 RETURNING id`,
    [id, node, leaseMs],
  );
  return rows.length === 1;
}

/**
 * In-flight executions this node may recover: its own claims (`ownClaims`: this process cannot
 * be running them, e.g. just after a restart) and any whose lease ran out.
 */
export async function staleClaims(
  q: Queryable,
  node: string,
  opts: { ownClaims: boolean; anyClaim?: boolean },
): Promise<Array<{ id: number; node: string; claimedAt: string }>> {
  const rows = await q.query(
    `SELECT id, claimed_by, claimed_at FROM proposal
      WHERE status = 'executing'
        AND ($3 OR lease_until < now() OR ($2 AND claimed_by = $1))
      ORDER BY id`,
    [node, opts.ownClaims, opts.anyClaim ?? false],
  );
  return rows.map((r) => ({ id: Number(r.id), node: String(r.claimed_by), claimedAt: iso(r.claimed_at) }));
}

/** Takes over a stale claim; false when another node took it (or it finished) first. */
export async function takeOver(
  q: Queryable,
  id: number,
  stale: { node: string; claimedAt: string },
  node: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE proposal
        SET claimed_by = $4, lease_until = now() + ($5::int8 * interval '1 millisecond')
      WHERE id = $1 AND status = 'executing' AND claimed_by = $2 AND claimed_at = $3::timestamptz
      RETURNING id`,
    [id, stale.node, stale.claimedAt, node, leaseMs],
  );
  return rows.length === 1;
}

/** Records how the claimed execution ended; false when the claim is no longer this node's. */
export async function finish(
  q: Queryable,
  id: number,
  node: string,
  outcome: Extract<ProposalStatus, 'executed' | 'failed' | 'needs-attention'>,
  e: { report: ExecutionReport | null; error: string | null; recovery: string | null; executor: string },
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE proposal SET status = $3, execution = $4::jsonb, executed_at = now(), lease_until = NULL,
            result = $4::jsonb
      WHERE id = $1 AND status = 'executing' AND claimed_by = $2 RETURNING id`,
    [id, node, outcome, JSON.stringify(e)],
  );
  return rows.length === 1;
}

/** Stores a decided outcome; false when one was already stored (the first decision stands). */
export async function setOutcome(q: Queryable, id: number, outcome: ProposalOutcome): Promise<boolean> {
  const rows = await q.query(
    `UPDATE proposal SET outcome = $2::jsonb WHERE id = $1 AND status = 'executed' AND outcome IS NULL RETURNING id`,
    [id, JSON.stringify(outcome)],
  );
  return rows.length === 1;
}

/** Executed proposals of the kinds whose effect is watched, finished since `since`, with no outcome yet. */
export async function awaitingOutcome(q: Queryable, kinds: readonly string[], since: Date): Promise<number[]> {
  const rows = await q.query(
    `SELECT id FROM proposal WHERE status = 'executed' AND outcome IS NULL AND algorithm IS NOT NULL
        AND kind = ANY($1::text[]) AND executed_at >= $2 ORDER BY id`,
    [kinds, since],
  );
  return rows.map((r: Row) => Number(r.id));
}

/** Adds what followed a stored outcome (the problem it closed or reopened, the undo it proposed). */
export async function patchOutcome(
  q: Queryable,
  id: number,
  patch: Partial<Pick<ProposalOutcome, 'problem' | 'undoProposalId' | 'summary'>>,
): Promise<void> {
  await q.query('UPDATE proposal SET outcome = outcome || $2::jsonb WHERE id = $1 AND outcome IS NOT NULL', [
    id,
    JSON.stringify(patch),
  ]);
}

/** A proposal as the approver notices read it. */
export interface NoticeCandidate {
  id: number;
  status: ProposalStatus;
  title: string;
  tier: RiskTier;
  approvals: { counted: number; required: number };
  expiresAt: string;
  notices: ProposalNotices;
}

/**
 * Proposals an approver notice may be due for: made in the last `days`, newest first. A notice
 * is sent only for the proposal's current state, so older ones have nothing left to say.
 */
export async function noticeCandidates(q: Queryable, days: number, limit = 500): Promise<NoticeCandidate[]> {
  const rows = await q.query(
    `SELECT p.id, p.status, p.title, p.tier, p.approvals_required, p.expires_at, p.body->'notices' AS notices,
            (SELECT count(*) FROM proposal_decision d
              WHERE d.proposal_id = p.id AND d.verdict = 'approve' AND d.counted)::int8 AS counted
       FROM proposal p
      WHERE p.algorithm IS NOT NULL AND p.created_at >= now() - $1 * interval '1 day'
      ORDER BY p.id DESC LIMIT $2`,
    [days, limit],
  );
  return rows.map((r: Row) => ({
    id: Number(r.id),
    status: r.status as ProposalStatus,
    title: String(r.title),
    tier: r.tier as RiskTier,
    approvals: { counted: Number(r.counted), required: Number(r.approvals_required) },
    expiresAt: iso(r.expires_at),
    notices: noticesOf(r.notices),
  }));
}

/**
 * Claims one delivery attempt of a proposal's notice: counts the attempt and holds it for
 * `leaseMs` (the one statement that decides which node sends it). Null when the notice landed,
 * ran out of attempts, or is not yet due again (another node holds it, or it is backing off).
 */
export async function claimNotice(
  q: Queryable,
  id: number,
  event: NoticeEvent,
  leaseMs: number,
  maxAttempts: number,
): Promise<{ attempts: number } | null> {
  const rows = await q.query(
    `UPDATE proposal
        SET body = jsonb_set(body, '{notices}', coalesce(body->'notices', '{}'::jsonb) || jsonb_build_object($2::text,
              jsonb_build_object(
                'attempts', coalesce((body->'notices'->$2::text->>'attempts')::int, 0) + 1,
                'nextAt', to_jsonb(now() + $3 * interval '1 millisecond'),
                'sentAt', NULL,
                'lastError', body->'notices'->$2::text->'lastError')))
      WHERE id = $1
        AND (body->'notices'->$2::text IS NULL
             OR (body->'notices'->$2::text->>'sentAt' IS NULL
                 AND coalesce((body->'notices'->$2::text->>'attempts')::int, 0) < $4
                 AND (body->'notices'->$2::text->>'nextAt' IS NULL
                      OR (body->'notices'->$2::text->>'nextAt')::timestamptz <= now())))
      RETURNING (body->'notices'->$2::text->>'attempts')::int AS attempts`,
    [id, event, leaseMs, maxAttempts],
  );
  return rows.length === 1 ? { attempts: Number(rows[0]!.attempts) } : null;
}

/** Records how a claimed attempt went: landed, or failed with the pause before the next one. */
export async function finishNotice(
  q: Queryable,
  id: number,
  event: NoticeEvent,
  result: { sent: true } | { sent: false; error: string; retryInMs: number },
): Promise<void> {
  const patch = result.sent
    ? `jsonb_build_object('sentAt', to_jsonb(now()), 'nextAt', NULL, 'lastError', NULL)`
    : `jsonb_build_object('lastError', to_jsonb($3::text), 'nextAt', to_jsonb(now() + $4 * interval '1 millisecond'))`;
  await q.query(
    `UPDATE proposal SET body = jsonb_set(body, ARRAY['notices', $2::text], (body->'notices'->$2::text) || ${patch})
      WHERE id = $1 AND body->'notices'->$2::text IS NOT NULL`,
    result.sent ? [id, event] : [id, event, result.error.slice(0, 500), result.retryInMs],
  );
}
