// How a failed service fails, as people write it (`down`, `slow=2s`, `errors=30%`), read into the
// mode the failure model walks with; anything else is a usage error that says what is accepted.
import type { FailureMode } from '../../model/index.js';
import { SimulationInputError } from './overrides.js';

/** The longest delay `slow=` takes (an hour): past it, every caller has long given up. */
export const MAX_SLOW_MS = 3_600_000;

const USAGE =
  'a failure mode is down, slow=<duration> (slow=2s, slow=500ms) or errors=<share> (errors=30%, errors=0.3)';

/** `down`, `slow=2s` / `slow=500ms` / `slow=1.5s`, `errors=30%` / `errors=0.3`. */
export function parseFailureMode(text: string): FailureMode {
  const t = text.trim().toLowerCase();
  if (t === 'down') return { kind: 'down' };
  const slow = /^slow\s*=\s*(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(t);
  if (slow) {
    const unit = slow[2] === 'ms' ? 1 : slow[2] === 's' ? 1000 : 60_000;
    const delayMs = Number(slow[1]) * unit;
    if (!(delayMs > 0 && delayMs <= MAX_SLOW_MS))
      throw new SimulationInputError(`slow= takes a delay above 0 and at most 1 hour, not "${text}"`);
    return { kind: 'slow', delayMs };
  }
  const errors = /^errors\s*=\s*(\d+(?:\.\d+)?)\s*(%?)$/.exec(t);
  if (errors) {
    const n = Number(errors[1]);
    const rate = errors[2] === '%' ? n / 100 : n;
    if (!(rate > 0 && rate <= 1))
      throw new SimulationInputError(`errors= takes a share above 0 and at most 100% (or 1), not "${text}"`);
    return { kind: 'errors', rate };
  }
  throw new SimulationInputError(`"${text}" is not a failure mode: ${USAGE}`);
}

/** The mode in words: `down`, `slow by 2,000 ms`, `failing 30% of requests`. */
export function describeMode(m: FailureMode): string {
  if (m.kind === 'down') return 'down (every call refused)';
  if (m.kind === 'slow') return `slow (every answer ${m.delayMs.toLocaleString('en-US')} ms later)`;
  return `failing ${Math.round(m.rate * 1000) / 10}% of its requests`;
}
