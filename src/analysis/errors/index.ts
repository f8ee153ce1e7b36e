// Error grouping (errors@1): stack traces parsed for V8, Python, Java and Go, in-app frame
// rules, fingerprints, and the exceptions found in spans and logs.
export type { ExceptionCause, ParsedStack, Runtime, StackFrame } from './types.js';
export {
  type ParseOptions,
  detectRuntime,
  MAX_FRAMES,
  MAX_STACK_INPUT,
  parseStackTrace,
  runtimeFromHint,
} from './stack-parse.js';
export { DEFAULT_JVM_VENDOR_PACKAGES, type InAppOptions, isInApp } from './in-app.js';
export {
  ERRORS_ALGORITHM,
  type ErrorFingerprint,
  type FingerprintInput,
  type FingerprintOptions,
  fingerprintError,
  fingerprintOccurrence,
  normalizeFrameFile,
  normalizeMessage,
  normalizeSymbol,
} from './fingerprint.js';
export { type ExceptionOccurrence, exceptionFromLog, exceptionsFromSpan, runtimeOfResource } from './extract.js';
export { type CulpritFrame, culpritOf, innermostFrame } from './culprit.js';
