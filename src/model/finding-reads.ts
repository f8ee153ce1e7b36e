// Typed reads of findings: the helpers the UI, the workflow and the benches narrow with. Kept
// apart from findings.ts and free of zod, so the browser bundle can import them without
// pulling in the schemas (src/web imports this file directly for that reason).
import type { Finding, FindingKind, FindingOf, RcaSignalData, SignalData } from './findings.js';

/** The findings of one kind, typed, in their order. */
export function findingsOf<K extends FindingKind>(fs: readonly Finding[], kind: K): FindingOf<K>[] {
  return fs.filter((f): f is FindingOf<K> => f.kind === kind);
}

/** A signal finding's data: an rca test (true), or the failed requests of a ticket's users. */
export function isRcaSignal(d: SignalData): d is RcaSignalData {
  return 'test' in d;
}
