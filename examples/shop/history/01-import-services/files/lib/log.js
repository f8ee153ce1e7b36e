// printf-style logger: log.warn('cache miss for %s', id). Every record goes out through
// the OpenTelemetry logs API with the request's user and account, and is echoed to stdout.
// A trailing Error argument is attached as exception.* attributes.
import { SeverityNumber, logs } from '@opentelemetry/api-logs';
import { format } from 'node:util';
import { identityAttributes } from './context.js';

const LEVELS = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

const threshold = LEVELS[process.env.LOG_LEVEL ?? 'info'] ?? SeverityNumber.INFO;
const service = process.env.SERVICE_NAME ?? process.env.OTEL_SERVICE_NAME ?? 'shop';
const logger = logs.getLogger(service);

function emit(level, args) {
  const severityNumber = LEVELS[level];
  if (severityNumber < threshold) return;
  const err = args.length > 1 && args[args.length - 1] instanceof Error ? args.pop() : null;
  const body = format(...args);
  const attributes = identityAttributes();
  if (err) {
    attributes['exception.type'] = err.name;
    attributes['exception.message'] = err.message;
    attributes['exception.stacktrace'] = err.stack;
  }
  logger.emit({ severityNumber, severityText: level.toUpperCase(), body, attributes });
  process.stdout.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${service}: ${body}\n`);
}

export const log = {
  debug: (...args) => emit('debug', args),
  info: (...args) => emit('info', args),
  warn: (...args) => emit('warn', args),
  error: (...args) => emit('error', args),
};
