// Ticket webhooks: POST /webhooks/{github,jira,zendesk,linear}, outside the Bearer-only
// context because senders authenticate by signature. A request is let in by a valid
// signature made with the configured secret, or a valid Bearer token, or (only when the
// listener allows anonymous requests) nothing at all; a signature that is present is always
// checked when a secret is configured, and so is the time it signs, where the sender signs one
// (ORRERY_WEBHOOK_TOLERANCE_SECONDS). The raw body is kept for the signature and parsed here.
// GitHub's `pull_request` events on /webhooks/github are reviewed (review-github) instead.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config/index.js';
import { type Headers, TicketFormatError, WEBHOOK_FORMATS, checkSignedTime } from '../ingest/sources/tickets/index.js';
import { acceptPullRequestDelivery, ingestWebhook } from '../workflows/index.js';
import { throttled } from './auth.js';
import { AuthThrottledError, clientKey } from './auth-throttle.js';
import { requiredRole, roleRefusal } from './roles.js';
import type { WebhookRouteOptions } from './route-options.js';

const TOLERANCE_ENV = 'ORRERY_WEBHOOK_TOLERANCE_SECONDS';

/** Webhook bodies above this get 413; issue payloads are a few kB, large Jira ones well under 1 MiB. */
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

/** Each sender's secret setting (the request guard also reads it: a signed delivery is not a browser's). */
export const SECRET_SETTING: Record<string, { key: keyof Config; env: string }> = {
  github: { key: 'githubWebhookSecret', env: 'ORRERY_GITHUB_WEBHOOK_SECRET' },
  jira: { key: 'jiraWebhookSecret', env: 'ORRERY_JIRA_WEBHOOK_SECRET' },
  zendesk: { key: 'zendeskWebhookSecret', env: 'ORRERY_ZENDESK_WEBHOOK_SECRET' },
  linear: { key: 'linearWebhookSecret', env: 'ORRERY_LINEAR_WEBHOOK_SECRET' },
};

class WebhookRefusal extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function send(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
}

export async function webhookRoutes(app: FastifyInstance, opts: WebhookRouteOptions): Promise<void> {
  const { ctx } = opts;
  const deny = (reply: FastifyReply, status: number, message: string) => {
    ctx.metrics.recordRefused('webhook', status);
    return send(reply, status, message);
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    let message = err.message;
    if (err instanceof TicketFormatError) status = 400;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      message = `the webhook body is over the limit of ${WEBHOOK_BODY_LIMIT} bytes`;
    if (status >= 500) {
      req.log.error({ err }, 'webhook failed');
      message = 'internal error; the delivery was not stored (the sender will retry)';
    }
    return deny(reply, status, message);
  });

  for (const format of WEBHOOK_FORMATS) {
    const setting = SECRET_SETTING[format.name]!;
    const secret = () => opts.config[setting.key] as string | undefined;

    app.post(
      `/webhooks/${format.name}`,
      {
        // Refuse before reading the body when the request cannot be authentic whatever it holds.
        onRequest: async (req, reply) => {
          const auth = req.headers.authorization;
          if (auth !== undefined && auth !== '') {
            const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
            if (!m) return deny(reply, 401, 'malformed Authorization header: expected "Bearer <token>"');
            let token: Awaited<ReturnType<typeof opts.verifier.verify>>;
            try {
              token = await opts.verifier.verify(m[1]!, { client: clientKey(req.ip) });
            } catch (err) {
              if (err instanceof AuthThrottledError) return throttled(reply, err, deny);
              reply.header('retry-after', '5');
              return deny(reply, 503, 'the token store is unavailable; retry shortly');
            }
            if (!token) return deny(reply, 401, 'invalid or revoked token');
            const refused = roleRefusal(token, requiredRole(req.method, req.routeOptions.url));
            if (refused) return deny(reply, 403, refused);
            return;
          }
          const signed = !format.signature!.missing(req.headers as Headers);
          if (secret() && !signed) {
            return deny(
              reply,
              401,
              `missing ${format.signature!.header}: ${setting.env} is set, so ${format.name} deliveries must be signed with it`,
            );
          }
          if (!secret() && !opts.anonymous) {
            return deny(
              reply,
              401,
              `authentication required: set ${setting.env} to the webhook's secret (and the same secret in ${format.name}), or send "Authorization: Bearer <token>"`,
            );
          }
        },
      },
      async (req, reply) => {
        const raw = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
        const s = secret();
        const signed = Boolean(s) && !format.signature!.missing(req.headers as Headers);
        if (signed) {
          const check = format.signature!.verify(raw, req.headers as Headers, s!);
          if (!check.ok) throw new WebhookRefusal(401, `signature check failed: ${check.reason}`);
        }
        const body = parseBody(raw, req.headers['content-type']);
        // A signed time is only worth checking on a delivery whose signature covers it.
        const signedAt = signed ? format.signature!.signedAt?.(req.headers as Headers, body) : undefined;
        if (signedAt) {
          const window = { toleranceSeconds: opts.config.webhookToleranceSeconds, setting: TOLERANCE_ENV };
          const check = checkSignedTime(signedAt, window);
          if (!check.ok) throw new WebhookRefusal(401, `signature check failed: ${check.reason}`);
        }
        // A GitHub App sends every event to one URL: pull requests are reviewed, not stored as tickets.
        if (format.name === 'github' && req.headers['x-github-event'] === 'pull_request') {
          const delivery = req.headers['x-github-delivery'];
          const r = await acceptPullRequestDelivery(
            ctx,
            opts.config,
            typeof delivery === 'string' && delivery.length <= 200 ? delivery : null,
            body,
            {
              onDone: (o) =>
                o.ok
                  ? req.log.info({ delivery: o.delivery }, 'pull request review delivered')
                  : req.log.error({ err: o.error }, 'pull request review failed'),
            },
          );
          return reply.code(r.status).send(r.body);
        }
        const r = await ingestWebhook(ctx, format, req.headers as Headers, body);
        return reply.code(r.status).send(r.body);
      },
    );
  }
}

/** JSON as sent, or GitHub's form encoding (`payload=<json>`). */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) throw new TicketFormatError('empty body: expected the JSON payload');
  let text = raw.toString('utf8');
  if (/^application\/x-www-form-urlencoded/i.test(contentType ?? '')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new TicketFormatError('form-encoded body without a "payload" field', 'payload');
    text = payload;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TicketFormatError(`the body is not valid JSON: ${(err as Error).message}`);
  }
}
