// The calibration window's length as people give it (`--window 30m`), within the bounds the
// simulation takes: long enough for rates and queues to mean something, short enough to read.
import { SimulationInputError } from './overrides.js';

export const DEFAULT_WINDOW_MS = 30 * 60_000;
export const MIN_WINDOW_MS = 60_000;
export const MAX_WINDOW_MS = 24 * 3_600_000;

const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `30m`, `2h`, `900s` (or a number of milliseconds) as milliseconds, 1 min to 24 h. */
export function parseWindow(value: string | number): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/i.exec(value);
    if (!m)
      throw new SimulationInputError(
        `the window "${value}" is not a length of time: use seconds, minutes or hours (900s, 30m, 2h)`,
      );
    ms = Number(m[1]) * (UNIT[(m[2] as string).toLowerCase()] as number);
  }
  if (!(Number.isFinite(ms) && ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS))
    throw new SimulationInputError(`the window must be between 1 minute and 24 hours, not ${value}`);
  return Math.round(ms);
}
