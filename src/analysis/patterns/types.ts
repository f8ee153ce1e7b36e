// The public shape of the log template miner (patterns@3): what callers see of a mined
// template, independent of how the miner stores its clusters.
import type { TemplateSlot } from '../../model/index.js';

/** patterns@3: patterns@2, with rules checked on Loghub and on TrainTicket call sites (see miner.ts). */
export const PATTERNS_ALGORITHM = 'patterns@3';

// A template's slots are part of the API's pattern detail, so their shape lives in the model.
export type { SlotType, TemplateSlot } from '../../model/index.js';

/** The miner's answer for one line. */
export interface PatternMatch {
  /** Stable id of the pattern within this miner (never reused, survives template changes). */
  id: string;
  /** The template as it stands after this line, parameters as `<*>`. */
  template: string;
  /** True when this line created the pattern. */
  created: boolean;
  /** True when the line hit the cardinality limit and was counted in the overflow pattern. */
  overflow: boolean;
}

export interface PatternInfo {
  id: string;
  template: string;
  slots: TemplateSlot[];
  count: number;
  /** Ids of patterns merged into this one. */
  merged: string[];
  /** The log call site of its lines, when they named one. */
  site?: string;
}

export interface MinerOptions {
  /** Most patterns kept; later new shapes go to one overflow pattern. Default 5000. */
  maxPatterns?: number;
}

export interface PatternMiner {
  /**
   * Mine one log body; `site` names the call site that logged it (e.g. `src/cart.ts:42`), and
   * lines of different sites never share a pattern.
   */
  add(body: string, site?: string): PatternMatch;
  /** The current id for an id handed out earlier (patterns merge; ids then forward). */
  resolve(id: string): string;
  /** The current template of a pattern id (after following merges). */
  template(id: string): string;
  /** Restore patterns mined earlier, keeping their ids. */
  seed(patterns: readonly { id: string; template: string; site?: string | null }[]): void;
  /** One live pattern by id, after following merges; null when unknown. */
  pattern(id: string): PatternInfo | null;
  /** How many live patterns are held (not counting the overflow pattern). */
  readonly size: number;
  /** All live patterns. */
  patterns(): PatternInfo[];
  /** Lines that went to the overflow pattern. */
  readonly overflowed: number;
}
