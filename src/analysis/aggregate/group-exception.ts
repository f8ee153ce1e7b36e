// One exception occurrence → its error group (errors@1): the fingerprint, and what the group
// shows people: type, message, runtime and the parsed frames (file, function, line) that
// code localization joins to symbols.
import { type ExceptionOccurrence, type StackFrame, fingerprintOccurrence } from '../errors/index.js';

/** Frames kept on a group: enough to localize, bounded for storage. */
const KEPT_FRAMES = 50;

export interface ExceptionGroup {
  fingerprint: string;
  type: string;
  message: string;
  runtime: string;
  frames: StackFrame[];
}

export function groupException(occ: ExceptionOccurrence): ExceptionGroup {
  const { stack, fingerprint } = fingerprintOccurrence(occ);
  return {
    fingerprint: fingerprint.fingerprint,
    type: stack.type ?? fingerprint.type,
    message: stack.message ?? '',
    runtime: stack.runtime,
    frames: stack.frames.slice(0, KEPT_FRAMES),
  };
}
