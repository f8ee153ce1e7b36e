// Whether a proposal's action is the right fix the scenario's truth file states (scenarios.json
// `rightFix`, resolved by the demo): the bench's judgement, never Orrery's. Pure.
import type { RightFix, RightFixAction } from '../../src/demo/index.js';
import type { ProposalAction } from '../../src/model/index.js';

export interface FixVerdict {
  right: boolean;
  /** The action in a few words, and why it is right or wrong. */
  why: string;
}

/** The action in a few words: `rollback cart v1.4.0 → v1.3.0`, `scale catalog replicas 2 → 4`. */
export function describeAction(a: ProposalAction): string {
  switch (a.kind) {
    case 'rollback':
      return `rollback ${a.service} ${a.fromVersion} → ${a.toVersion}`;
    case 'scale':
      return `scale ${a.service}${a.replicas ? ` replicas ${a.replicas.from ?? '?'} → ${a.replicas.to}` : ''}${a.hpaMin ? ` HPA min ${a.hpaMin.from ?? '?'} → ${a.hpaMin.to}` : ''}`;
    case 'config':
      return `config ${a.service} ${a.name} ${a.from ?? '(unset)'} → ${a.to}`;
    case 'flag':
      return `flag ${a.service} ${a.flag} ${a.to}`;
    case 'restart':
      return `restart ${a.services.join(', ')}`;
    case 'revert':
      return `revert ${a.sha.slice(0, 10)} in ${a.repository}`;
  }
}

function matches(f: RightFixAction, a: ProposalAction): boolean {
  switch (f.kind) {
    case 'rollback':
      return a.kind === 'rollback' && a.service === f.service && a.toVersion === f.toVersion;
    case 'config': {
      if (a.kind !== 'config' || a.service !== f.service || a.name !== f.name) return false;
      if ('value' in f) return a.to === f.value;
      const to = Number(a.to);
      return Number.isFinite(to) && to > f.above;
    }
    case 'scale': {
      if (a.kind !== 'scale' || a.service !== f.service) return false;
      const up = (c: { from: number | null; to: number } | null) => c !== null && (c.from === null || c.to > c.from);
      const down = (c: { from: number | null; to: number } | null) => c !== null && c.from !== null && c.to < c.from;
      return (up(a.replicas) || up(a.hpaMin)) && !down(a.replicas) && !down(a.hpaMin);
    }
  }
}

/** Right when the action is any one of the truth's fixes. */
export function judgeFix(truth: RightFix, a: ProposalAction): FixVerdict {
  const what = describeAction(a);
  return truth.anyOf.some((f) => matches(f, a))
    ? { right: true, why: `${what}: ${truth.text}` }
    : { right: false, why: `${what}, but the right fix is: ${truth.text}` };
}
