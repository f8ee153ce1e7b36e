// Remediation proposal routes (inside the authenticated API context; roles in roles.ts): make
// proposals (from an investigation, a problem or a deploy, or by hand), list and show them (JSON
// or Markdown with the tier and approval rules), approve or reject them as an identified
// approver, run an approved one once, and propose the undo of an executed one.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ProposalInputError, parseTtl, proposalMarkdown } from '../analysis/index.js';
import { PROPOSAL_STATUSES, type ProposalListAnswer } from '../model/index.js';
import {
  ProposalNotFoundError,
  ProposalRefusedError,
  decide,
  executeProposal,
  getProposal,
  listProposals,
  propose,
  undoProposal,
  watchOutcome,
} from '../workflows/index.js';
import { actorOf, tokenOf } from './auth.js';
import type { RouteOptions } from './route-options.js';

const name = z.string().trim().min(1).max(200);
const ttl = z.union([z.string().max(32), z.number()]).transform((v, c) => {
  try {
    return parseTtl(v);
  } catch (err) {
    c.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const manualAction = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('rollback'),
      service: name,
      toVersion: name,
      environment: z.string().max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('scale'),
      service: name,
      replicas: z.number().int().min(0).max(1000).optional(),
      hpaMin: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('config'),
      service: name,
      name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env name: letters, digits and _'),
      value: z.string().max(4096),
    })
    .strict(),
  z.object({ kind: z.literal('flag'), service: name, flag: name, to: z.enum(['off', 'on']).default('off') }).strict(),
  z.object({ kind: z.literal('restart'), services: z.array(name).min(1).max(50) }).strict(),
  z
    .object({ kind: z.literal('revert'), repository: name, sha: z.string().regex(/^[0-9a-f]{7,40}$/i, 'a commit sha') })
    .strict(),
]);

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const common = { expiresIn: ttl.optional(), simulate: z.boolean().default(true) };
const proposeBody = z.union([
  z.object({ from: z.literal('investigation'), id, ...common }).strict(),
  z.object({ from: z.literal('problem'), id, ...common }).strict(),
  z.object({ from: z.literal('deploy'), id, reason: z.string().max(2000).optional(), ...common }).strict(),
  z.object({ from: z.literal('verification'), deployId: id, ...common }).strict(),
  z
    .object({ from: z.literal('manual'), action: manualAction, reason: z.string().trim().min(1).max(2000), ...common })
    .strict(),
]);

const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const showQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  status: z.enum(PROPOSAL_STATUSES).optional(),
  problem: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});
const decideBody = z
  .object({ comment: z.string().max(2000).optional() })
  .strict()
  .default({});
const undoBody = z
  .object({ expiresIn: ttl.optional(), simulate: z.boolean().default(true) })
  .strict()
  .default({ simulate: true });

const fail = (reply: FastifyReply, status: number, message: string) =>
  reply.code(status).send({
    statusCode: status,
    error:
      { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' }[status] ??
      'Error',
    message,
  });

/** The workflow's refusals as HTTP answers; anything else is the server's error. */
function answer(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof ProposalRefusedError) return fail(reply, err.status, err.message);
  if (err instanceof ProposalNotFoundError) return fail(reply, 404, err.message);
  if (err instanceof ProposalInputError) return fail(reply, 400, err.message);
  throw err;
}

export async function proposalRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post('/api/proposals', { schema: { body: proposeBody } }, async (req, reply) => {
    const b = req.body as z.output<typeof proposeBody>;
    const o = {
      actor: actorOf(req),
      simulate: b.simulate,
      ...(b.expiresIn !== undefined ? { ttlMs: b.expiresIn } : {}),
    };
    try {
      const r =
        b.from === 'manual'
          ? await propose(ctx, { from: 'manual', action: b.action, reason: b.reason }, o)
          : b.from === 'verification'
            ? await propose(ctx, { from: 'verification', deployId: b.deployId }, o)
            : b.from === 'deploy'
              ? await propose(ctx, { from: 'deploy', id: b.id, ...(b.reason ? { reason: b.reason } : {}) }, o)
              : await propose(ctx, { from: b.from, id: b.id }, o);
      return reply.code(r.proposals.length ? 201 : 200).send(r);
    } catch (err) {
      return answer(reply, err);
    }
  });

  app.get('/api/proposals', { schema: { querystring: listQuery } }, async (req): Promise<ProposalListAnswer> => {
    const q = req.query as z.output<typeof listQuery>;
    return {
      proposals: await listProposals(ctx, {
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.problem ? { problem: q.problem } : {}),
      }),
      // How close to its expiry a waiting proposal counts as expiring (ORRERY_APPROVER_EXPIRING_MINUTES).
      expiringMinutes: opts.config.approverExpiringMinutes,
    };
  });

  app.get('/api/proposals/:id', { schema: { params: idParams, querystring: showQuery } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const p = await getProposal(ctx, id);
    if (!p) return fail(reply, 404, `no proposal with id ${id}`);
    if ((req.query as z.output<typeof showQuery>).format === 'markdown')
      return reply.type('text/markdown; charset=utf-8').send(proposalMarkdown(p));
    return { proposal: p };
  });

  // After the action: the outcome so far (stored once decided; `watching` is computed each time).
  app.get('/api/proposals/:id/outcome', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const p = await getProposal(ctx, id);
    if (!p) return fail(reply, 404, `no proposal with id ${id}`);
    const outcome = await watchOutcome(ctx, id);
    if (!outcome)
      return fail(
        reply,
        409,
        `proposal ${id} is ${p.status} (${p.action.kind}): only an executed rollback, scale or config change is watched`,
      );
    return { outcome };
  });

  for (const verdict of ['approve', 'reject'] as const) {
    app.post(
      `/api/proposals/:id/${verdict}`,
      { schema: { params: idParams, body: decideBody } },
      async (req, reply) => {
        const { id } = req.params as z.output<typeof idParams>;
        const token = tokenOf(req);
        try {
          const p = await decide(
            ctx,
            id,
            verdict,
            token ? { actor: actorOf(req), name: token.name, role: token.role } : null,
            (req.body as z.output<typeof decideBody>)?.comment ?? null,
          );
          return { proposal: p };
        } catch (err) {
          return answer(reply, err);
        }
      },
    );
  }

  app.post('/api/proposals/:id/execute', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    try {
      return { proposal: await executeProposal(ctx, id, { actor: actorOf(req) }) };
    } catch (err) {
      return answer(reply, err);
    }
  });

  app.post('/api/proposals/:id/undo', { schema: { params: idParams, body: undoBody } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const b = req.body as z.output<typeof undoBody>;
    try {
      const p = await undoProposal(ctx, id, {
        actor: actorOf(req),
        simulate: b.simulate,
        ...(b.expiresIn !== undefined ? { ttlMs: b.expiresIn } : {}),
      });
      return reply.code(201).send({ proposal: p });
    } catch (err) {
      return answer(reply, err);
    }
  });
}
