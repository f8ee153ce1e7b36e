// MCP tools over simulations, reviews, deploy verification and (only when turned on) proposals:
// blast_radius, simulate, review_diff, deploy_status and propose_remediation, calling what
// /api/simulations, /api/reviews, /api/deploys and /api/proposals call.
import { z } from 'zod';
import { MAX_FACTOR } from '../../analysis/index.js';
import type { BlastRadius, Simulation } from '../../model/index.js';
import {
  ChangeInputError,
  ChangeNotFoundError,
  ProposalInputError,
  ProposalNotFoundError,
  ProposalRefusedError,
  SimulationInputError,
  listDeploys,
  propose,
  reviewChange,
  runChangeSimulation,
  simulateFailure,
  simulateLoad,
  verifyDeployment,
} from '../../workflows/index.js';
import { reviewBody } from '../review-routes.js';
import { changeSubject, changeSubjectOf } from '../simulation-change-routes.js';
import { failureModeArg, setLine, windowArg } from '../simulation-routes.js';
import type { Item, ToolAnswer } from './envelope.js';
import { ToolInputError, tool } from './registry.js';

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The workflows' refusals of bad input, as tool errors with their own message. */
async function inputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (
      err instanceof ChangeInputError ||
      err instanceof ChangeNotFoundError ||
      err instanceof SimulationInputError ||
      err instanceof ProposalInputError ||
      err instanceof ProposalNotFoundError ||
      err instanceof ProposalRefusedError
    )
      throw new ToolInputError(err.message);
    throw err;
  }
}

const endpointId = (service: string, endpoint: string) => `endpoint:${service} ${endpoint}`;

/** A stored simulation's evidence id and links, as every simulation tool answers them. */
const simulationRefs = (simId: number) => ({
  evidence: [`simulation:${simId}`],
  links: { simulation: `/api/simulations/${simId}`, markdown: `/api/simulations/${simId}?format=markdown` },
});

/** A simulation's endpoints as items: each with its id and the stored run's API address. */
const endpointItems = <E extends { service: string; endpoint: string }>(simId: number, endpoints: readonly E[]) =>
  endpoints.map((e) => ({ id: endpointId(e.service, e.endpoint), api: `/api/simulations/${simId}`, ...e }));

function blastAnswer(sim: Simulation, r: BlastRadius): ToolAnswer<unknown, Item> {
  return {
    summary: `${r.repository} ${r.base.slice(0, 10)}..${r.head.slice(0, 10)}: ${r.changed.length} changed units, ${r.endpoints.length} endpoints and ${r.services.length} services reached, ${r.people.users ?? '?'} users`,
    data: {
      simulation: `simulation:${sim.id}`,
      deploy: r.deploy ? `deploy:${r.deploy.id}` : null,
      summary: r.summary,
      services: r.services.map((s) => ({
        service: s.service,
        mark: s.mark,
        via: s.via,
        callsPerMinute: s.callsPerMinute,
      })),
      changed: r.changed.map((u) => `${u.path}:${u.lines?.startLine ?? '?'} ${u.name} (${u.change})`),
      people: { users: r.people.users, accounts: r.people.accounts },
      problems: r.problems.map((p) => ({ id: `problem:${p.id}`, title: p.title, why: p.why })),
      tickets: r.tickets.map((t) => ({ id: `ticket:${t.id}`, title: t.title })),
      owners: r.owners.map((o) => ({ owner: o.owner, role: o.role })),
      notes: r.notes,
    },
    items: r.endpoints.map((e) => ({
      id: endpointId(e.service, e.endpoint),
      api: `/api/simulations/${sim.id}`,
      service: e.service,
      endpoint: e.endpoint,
      mark: e.mark,
      via: e.via,
      path: e.path,
      callsPerMinute: e.callsPerMinute,
      errorsPerMinute: e.errorsPerMinute,
      users: e.users,
      handler: e.handler ? `${e.handler.path}:${e.handler.line}` : null,
      owners: e.owners,
      evidence: e.evidence.map((x) => `${x.kind}: ${x.detail}${x.traceId ? ` (trace ${x.traceId})` : ''}`),
    })),
    complete: true,
    evidence: [
      ...simulationRefs(sim.id).evidence,
      ...r.problems.map((p) => `problem:${p.id}`),
      ...r.tickets.map((t) => `ticket:${t.id}`),
    ],
    links: simulationRefs(sim.id).links,
  };
}

export const blastRadius = tool({
  name: 'blast_radius',
  description:
    'What a change would touch, from production traces: changed code, reached endpoints and services, users, problems, tickets, owners. Give range (base..head) or deploy. Stored.',
  route: 'POST /api/simulations/change',
  input: changeSubject,
  paged: true,
  async run({ ctx }, a) {
    const sim = await inputErrors(() =>
      runChangeSimulation(ctx, changeSubjectOf(a), a.since ? { window: { since: a.since, until: new Date() } } : {}),
    );
    if (sim.result.kind !== 'change') throw new Error('a change simulation answered another kind');
    return blastAnswer(sim, sim.result);
  },
});

const simulateInput = z
  .object({
    kind: z.enum(['load', 'failure']),
    factor: z.number().gt(0).max(MAX_FACTOR).optional().describe('load: traffic multiple'),
    endpoint: z.string().trim().min(1).max(1024).optional(),
    set: z.array(setLine).max(50).optional(),
    service: z.string().trim().min(1).max(256).optional().describe('failure: the failing service'),
    mode: failureModeArg.optional(),
    window: windowArg.optional().describe('calibration window: 30m, 2h'),
  })
  .strict();

/** A simulation's facts beside its endpoints: the stored run's id and its headline figures. */
interface SimulationData {
  simulation: string;
  window: Simulation['window'];
  [fact: string]: unknown;
}

export const simulate = tool<typeof simulateInput, SimulationData, Item>({
  name: 'simulate',
  description:
    'Simulate load (factor, optional endpoint and set lines such as "cart.replicas=4") or a failure (service, mode: down, slow=2s, errors=30%), calibrated on the traces. Stored; items are endpoints.',
  route: 'POST /api/simulations',
  input: simulateInput,
  paged: true,
  async run({ ctx }, a) {
    if (a.kind === 'load') {
      if (a.factor === undefined) throw new ToolInputError('factor: required for a load simulation');
      if (a.service !== undefined || a.mode !== undefined)
        throw new ToolInputError('service and mode are for kind failure');
      const sim = await inputErrors(() =>
        simulateLoad(ctx, { factor: a.factor!, endpoint: a.endpoint ?? null, set: a.set ?? [], windowMs: a.window }),
      );
      if (sim.result.kind !== 'load') throw new Error('a load simulation answered another kind');
      const r = sim.result;
      return {
        summary: `load ×${r.factor}: bottleneck ${r.bottleneck ? `${r.bottleneck.service} ${r.bottleneck.resource}` : 'none'}, knee ${r.knee.value ?? 'beyond the scan'}`,
        data: {
          simulation: `simulation:${sim.id}`,
          window: r.window,
          bottleneck: r.bottleneck,
          knee: r.knee,
          services: r.services,
          settings: r.settings,
          validity: r.validity,
          warnings: r.warnings,
          assumptions: r.assumptions,
        },
        items: endpointItems(sim.id, r.endpoints),
        complete: true,
        ...simulationRefs(sim.id),
      };
    }
    if (!a.service || !a.mode) throw new ToolInputError('service and mode: required for a failure simulation');
    if (a.factor !== undefined || a.set !== undefined) throw new ToolInputError('factor and set are for kind load');
    const sim = await inputErrors(() =>
      simulateFailure(ctx, { service: a.service!, mode: a.mode!, windowMs: a.window }),
    );
    if (sim.result.kind !== 'failure') throw new Error('a failure simulation answered another kind');
    const r = sim.result;
    return {
      summary: `${r.service} ${r.modeText}: ${Object.entries(r.summary)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
      data: {
        simulation: `simulation:${sim.id}`,
        window: r.window,
        outcomes: r.summary,
        people: r.people,
        tickets: r.tickets,
        definitions: r.definitions,
        warnings: r.warnings,
        assumptions: r.assumptions,
      },
      items: endpointItems(sim.id, r.endpoints),
      complete: true,
      ...simulationRefs(sim.id),
    };
  },
});

export const reviewDiff = tool({
  name: 'review_diff',
  description:
    'Review a range (base..head) of an indexed repository with production context: risk tier and reasons, changed symbols with calls/min, p95, errors, tests, owners, rollout.',
  route: 'POST /api/reviews',
  input: reviewBody,
  paged: true,
  async run({ ctx }, a) {
    const r = await inputErrors(() =>
      reviewChange(ctx, {
        range: a.range,
        ...(a.repository ? { repository: a.repository } : {}),
        ...(a.asOf ? { asOf: a.asOf } : {}),
      }),
    );
    return {
      summary: `${r.repository} ${r.base.slice(0, 10)}..${r.head.slice(0, 10)}: risk ${r.tier}, ${r.reasons.length} reasons, ${r.symbols.length} changed symbols`,
      data: {
        tier: r.tier,
        reasons: r.reasons.map((x) => ({
          rule: x.rule,
          tier: x.tier,
          finding: x.finding,
          at: x.at ? `${x.at.path}:${x.at.startLine}` : null,
          evidence: x.evidence,
        })),
        rollout: r.rollout,
        commits: r.commits.map((c) => ({ id: `commit:${c.sha}`, subject: c.subject, author: c.author })),
        owners: r.owners,
        untestedHot: r.untestedHot,
        notes: r.notes,
      },
      items: r.symbols.map((s) => ({
        ...s,
        id: `symbol:${r.repository}/${s.path}:${s.lines?.startLine ?? 0}`,
        api: `/api/symbols?name=${encodeURIComponent(s.name)}&repo=${encodeURIComponent(r.repository)}`,
        symbol: s.id,
      })),
      complete: true,
      evidence: r.commits.map((c) => `commit:${c.sha}`),
      links: { review: '/api/reviews (POST the same range)' },
    };
  },
});

export const deployStatus = tool({
  name: 'deploy_status',
  description:
    "A deploy's verification verdict (healthy, regressed, inconclusive or watching) against the version before, with its findings. Give deploy, or service for its latest.",
  route: 'GET /api/deploys/:id/verification',
  input: z
    .object({
      deploy: id.optional(),
      service: z.string().trim().min(1).max(256).optional(),
      env: z.string().max(256).optional(),
    })
    .strict(),
  paged: true,
  async run({ ctx, config }, a) {
    if ((a.deploy === undefined) === (a.service === undefined))
      throw new ToolInputError('give deploy or service (one of them)');
    let deployId = a.deploy;
    if (deployId === undefined) {
      const [d] = await listDeploys(ctx, { service: a.service, environment: a.env, limit: 1 });
      if (!d) throw new ToolInputError(`no deploy of service ${a.service}${a.env ? ` in ${a.env}` : ''}`);
      deployId = d.id;
    }
    const v = await verifyDeployment(ctx, deployId, { watchMinutes: config.verifyWatchMinutes });
    if (!v) throw new ToolInputError(`no deploy with id ${deployId}`);
    return {
      summary: `deploy ${v.deployId} (${v.service} ${v.previousVersion ?? '?'} → ${v.version}): ${v.verdict}. ${v.summary}`,
      data: {
        deploy: `deploy:${v.deployId}`,
        service: v.service,
        environment: v.environment,
        version: v.version,
        previousVersion: v.previousVersion,
        deployedAt: v.deployedAt,
        verdict: v.verdict,
        decidedAt: v.decidedAt,
        watch: v.watch,
        traffic: v.traffic,
        problem: v.problemId ? `problem:${v.problemId}` : null,
      },
      items: v.findings.map((f) => ({
        id: `deploy:${v.deployId}/${f.id}`,
        api: `/api/deploys/${v.deployId}/verification`,
        kind: f.kind,
        title: f.title,
        hint: f.hint,
        confidence: f.confidence,
        evidence: f.evidence,
      })),
      complete: true,
      evidence: [`deploy:${v.deployId}`],
      links: { verification: `/api/deploys/${v.deployId}/verification`, deploy: `/api/deploys/${v.deployId}` },
    };
  },
});

export const proposeRemediation = tool({
  name: 'propose_remediation',
  description:
    'Propose remediations (rollback, scale, config, flag, restart, revert) from an investigation, a problem or a deploy, each with evidence, simulated effect and risk. Only proposes: a person approves elsewhere.',
  route: 'POST /api/proposals',
  proposes: true,
  input: z
    .object({
      from: z.enum(['investigation', 'problem', 'deploy']),
      id,
      reason: z.string().trim().min(1).max(2000).optional().describe('deploy: why roll it back'),
    })
    .strict(),
  paged: true,
  async run({ ctx, actor }, a) {
    if (a.reason !== undefined && a.from !== 'deploy') throw new ToolInputError('reason: only with from deploy');
    const r = await inputErrors(() =>
      propose(
        ctx,
        a.from === 'deploy'
          ? { from: 'deploy', id: a.id, ...(a.reason ? { reason: a.reason } : {}) }
          : { from: a.from, id: a.id },
        { actor: `mcp:${actor}`, simulate: true },
      ),
    );
    return {
      summary: `${r.proposals.length} proposals from ${a.from} ${a.id}; approving is not possible over MCP (an approver uses the web UI or orrery proposals approve)`,
      data: { notes: r.notes },
      items: r.proposals.map((p) => ({
        id: `proposal:${p.id}`,
        api: `/api/proposals/${p.id}`,
        title: p.title,
        status: p.status,
        action: p.action,
        risk: p.risk,
        rationale: p.rationale,
        approval: p.approval,
        expiresAt: p.expiresAt,
      })),
      complete: true,
      links: { proposals: '/api/proposals' },
    };
  },
});
