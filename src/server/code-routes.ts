// Code API routes (registered inside the authenticated API context).
import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from './route-options.js';

export async function codeRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
