export { SelfMetrics } from './self-metrics.js';
