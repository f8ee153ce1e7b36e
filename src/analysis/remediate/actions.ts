// What each kind of action says about itself: its title, the services it changes, the values it
// changes from and to, the `--set` lines that model it in the load simulation, and its inverse
// (what undoing it would propose).
import type { ProposalAction } from '../../model/index.js';

/** propose@1: the rules that make proposals, their risk tiers and approval rules (src/analysis/versions.ts). */
export const PROPOSE_ALGORITHM = 'propose@1';

const short = (sha: string) => sha.slice(0, 10);

export function titleOf(a: ProposalAction): string {
  switch (a.kind) {
    case 'rollback':
      return `roll back ${a.service} from ${a.fromVersion} to ${a.toVersion}`;
    case 'scale': {
      const parts = [
        ...(a.replicas ? [`replicas ${a.replicas.from ?? '?'} → ${a.replicas.to}`] : []),
        ...(a.hpaMin ? [`HPA minimum ${a.hpaMin.from ?? '?'} → ${a.hpaMin.to}`] : []),
      ];
      return `scale ${a.service}: ${parts.join(', ')}`;
    }
    case 'config':
      return `set ${a.service} ${a.name} from ${a.from ?? '(unset)'} to ${a.to}`;
    case 'flag':
      return `turn ${a.service}'s flag ${a.flag} ${a.to}`;
    case 'restart':
      return `restart ${a.services.join(', ')}`;
    case 'revert':
      return `revert ${short(a.sha)} ("${a.subject}") in ${a.repository} as a pull request`;
  }
}

/** The services the action changes. */
export function servicesOf(a: ProposalAction): string[] {
  if (a.kind === 'restart') return [...new Set(a.services)];
  if (a.kind === 'revert') return a.service ? [a.service] : [];
  return [a.service];
}

/** Each value the action changes, from → to. */
export function changesOf(a: ProposalAction): Array<{ what: string; from: string | null; to: string | null }> {
  switch (a.kind) {
    case 'rollback':
      return [{ what: `${a.service} version`, from: a.fromVersion, to: a.toVersion }];
    case 'scale':
      return [
        ...(a.replicas
          ? [{ what: `${a.service} replicas`, from: a.replicas.from?.toString() ?? null, to: String(a.replicas.to) }]
          : []),
        ...(a.hpaMin
          ? [{ what: `${a.service} HPA minReplicas`, from: a.hpaMin.from?.toString() ?? null, to: String(a.hpaMin.to) }]
          : []),
      ];
    case 'config':
      return [{ what: `${a.service} env ${a.name}`, from: a.from, to: a.to }];
    case 'flag':
      return [{ what: `${a.service} flag ${a.flag}`, from: a.to === 'off' ? 'on' : 'off', to: a.to }];
    case 'restart':
      return a.services.map((s) => ({ what: `${s} processes`, from: 'running', to: 'restarted' }));
    case 'revert':
      return [{ what: `${a.repository} commit ${short(a.sha)}`, from: 'applied', to: 'reverted (pull request)' }];
  }
}

/** Whether the action lowers capacity: fewer replicas or a lower HPA minimum than before. */
export function scalesDown(a: ProposalAction): boolean {
  if (a.kind !== 'scale') return false;
  const down = (c: { from: number | null; to: number } | null) => c !== null && c.from !== null && c.to < c.from;
  return down(a.replicas) || down(a.hpaMin);
}

/**
 * The `--set` lines that give the load simulation the action's capacity (null: the load model has
 * no such setting, e.g. a version or a flag). An HPA minimum at or above the replicas fixes them.
 */
export function simulationSetOf(a: ProposalAction): string[] | null {
  if (a.kind === 'scale') {
    const to = Math.max(a.replicas?.to ?? 0, a.hpaMin?.to ?? 0);
    return to > 0 ? [`${a.service}.replicas=${to}`] : null;
  }
  if (a.kind === 'config') return [`${a.service}.env.${a.name}=${a.to}`];
  return null;
}

/** The action that undoes `a` (null: nothing to undo, as for a restart). */
export function inverseOf(a: ProposalAction, revertCommit?: string): ProposalAction | null {
  switch (a.kind) {
    case 'rollback':
      return { ...a, fromVersion: a.toVersion, toVersion: a.fromVersion, toDeployId: null, toCommit: null };
    case 'scale': {
      const back = (c: { from: number | null; to: number } | null) =>
        c && c.from !== null ? { from: c.to, to: c.from } : null;
      const replicas = back(a.replicas);
      const hpaMin = back(a.hpaMin);
      return replicas || hpaMin ? { kind: 'scale', service: a.service, replicas, hpaMin } : null;
    }
    case 'config':
      return a.from === null ? null : { ...a, from: a.to, to: a.from };
    case 'flag':
      return { ...a, to: a.to === 'off' ? 'on' : 'off' };
    case 'restart':
      return null;
    case 'revert':
      return revertCommit
        ? {
            kind: 'revert',
            repository: a.repository,
            sha: revertCommit,
            subject: `Revert "${a.subject}"`,
            service: a.service,
          }
        : null;
  }
}

/** The undo in words. */
export function undoText(a: ProposalAction, revertCommit?: string): string {
  const inv = inverseOf(a, revertCommit);
  if (a.kind === 'restart') return 'nothing to undo: a restart changes no setting';
  if (!inv) return 'set the previous value back by hand: it was not recorded';
  return `propose the inverse: ${titleOf(inv)} (orrery proposals undo <id>)`;
}
