// What every API route plugin receives.
import type { Config } from '../config/index.js';
import type { Context } from '../workflows/index.js';
import type { TokenVerifier } from './auth.js';

export interface RouteOptions {
  ctx: Context;
  config: Config;
}

/** Webhook routes authenticate by signature (or a Bearer token), so they get the auth pieces. */
export interface WebhookRouteOptions extends RouteOptions {
  verifier: TokenVerifier;
  anonymous: boolean;
}
