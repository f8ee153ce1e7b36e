// Which listed deploys' verdicts are asked for when the list carries none. The server verifies
// each deploy of the last watch window and an hour until it is decided (at most 240 + 60
// minutes); an older deploy without a verdict was never verified (it went out before Orrery saw
// its telemetry), and asking would only compute an inconclusive one. Pure, for the tests.
import type { Deploy } from '../../model/index.js';

/** Deploys older than this without a verdict are shown as not verified, not asked for. */
export const ASK_WITHIN_MS = 5 * 3_600_000;

export function shouldAsk(d: Pick<Deploy, 'deployedAt' | 'verdict' | 'attributes'>, nowMs: number): boolean {
  if (d.verdict || d.attributes.baseline === true) return false;
  const t = Date.parse(d.deployedAt);
  return Number.isFinite(t) && nowMs - t <= ASK_WITHIN_MS;
}
