// Deploy verification (deploy-verify@2): sequential tests of a deployed version against the one
// before it, with the controls (load, other deploys, changes already under way). Pure.
export { DEPLOY_VERIFY_ALGORITHM, VERIFY_DEFAULTS } from './types.js';
export type {
  CountSeries,
  EdgeSeries,
  EventSeries,
  LatencyMinute,
  LatencySeries,
  OtherDeploy,
  VerifyOptions,
  VerifySeries,
} from './types.js';
export { FAMILY_COUNT, judge } from './judge.js';
export type { JudgedTest, Judgement } from './judge.js';
export { MIN_MINUTE_SAMPLES, SEVERE_LEVELS, changedAcross, seriesOf } from './series.js';
export type { VerifyFacts, VersionedEvent, VersionedRed } from './series.js';
export { minuteRankRise, rateDispersion, rateRise, shareDispersion, shareRise } from './stats.js';
export type { MinuteCount, RiseTest } from './stats.js';
export { verifyDeploy } from './verify.js';
export type { VerifyOutcome } from './verify.js';
