// Ticket webhooks (GitHub, Jira, Zendesk, Linear): outside the Bearer-only context, because
// senders authenticate by signature.
import type { FastifyInstance } from 'fastify';
import type { WebhookRouteOptions } from './route-options.js';

export async function webhookRoutes(_app: FastifyInstance, _opts: WebhookRouteOptions): Promise<void> {}
