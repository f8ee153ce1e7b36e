// patterns@3: online log template mining (see miner.ts for the algorithm).
export { createPatternMiner, Miner, generalizeToken, OVERFLOW_TEMPLATE } from './miner.js';
export { maskToken, valueType, WILDCARD } from './mask.js';
export { PATTERNS_ALGORITHM } from './types.js';
export type { MinerOptions, PatternInfo, PatternMatch, PatternMiner, SlotType, TemplateSlot } from './types.js';
