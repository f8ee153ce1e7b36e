export { loadConfig, configSchema, ENV_VARS, ConfigError, isLoopback, parseRetention } from './config.js';
export type { Config, ConfigInput } from './config.js';
