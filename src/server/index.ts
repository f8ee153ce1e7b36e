// The server's public surface.
export { buildServer } from './server.js';
export type { ListenAddresses, OrreryServer, ServerOptions } from './server.js';
export { startOrrery } from './run.js';
export type { RunningOrrery, StartOptions } from './run.js';
export { worksTheServer } from './roles.js';
