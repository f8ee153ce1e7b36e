// A time flag (ISO timestamp, epoch ms, or an age like 15m) as an ISO string; a bad value is
// a usage error that names the flag.
import { TimeArgError, parseTimeArg } from '../analysis/index.js';
import { CliError, EXIT } from './client.js';

export function timeFlag(name: string, value: string): string {
  try {
    return parseTimeArg(value, new Date()).toISOString();
  } catch (err) {
    if (err instanceof TimeArgError) throw new CliError(`--${name}: ${err.message}`, EXIT.usage);
    throw err;
  }
}
