// Pure per-record transforms between a source and the store (verbs): the public surface.
export { compileRedactor, isSecretKey, REDACT_ALGORITHM, BUILTIN_RULE_NAMES } from './redact.js';
export type {
  BuiltinRuleName,
  RedactionConfig,
  RedactionRule,
  RedactionRuleSpec,
  RedactionStats,
  Redactor,
} from './redact.js';
export { isStorableText, storableText, storableValue, unstorableTextAt } from './sanitize.js';
