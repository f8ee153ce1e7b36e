// When a ticket's trouble began, from what Orrery observed of its users rather than from what
// the customer remembers. A customer's "since about 3pm" is rounded and often minutes off; the
// users' failing requests are exact, but they can have failed for an unrelated reason earlier
// (another fault in the same service), and they can have been hit after the fault began. So the
// onset is the first failure with the users' most common failure message, moved earlier to the
// first occurrence of the service's error group with that message when it began within the
// look-back. With no message to match (a failure with no status message), the service's most
// frequent error group stands in. ticketWindow turns that into the ticket's window.

/** The users' failures in one service with one message. */
export interface UsersFailure {
  message: string | null;
  errors: number;
  firstMs: number;
}

/** An error group of the service, as the store lists them (most occurrences first). */
export interface OnsetGroup {
  fingerprint: string;
  type: string | null;
  message: string | null;
  firstSeen: string | null;
}

export interface TicketOnset {
  onsetMs: number;
  /** The error group whose first occurrence set the onset, if one did. */
  group: OnsetGroup | null;
}

/** The failure with the most errors, the earliest on a tie. */
function dominantFailure(failures: readonly UsersFailure[]): UsersFailure | null {
  let best: UsersFailure | null = null;
  for (const f of failures) {
    if (!best || f.errors > best.errors || (f.errors === best.errors && f.firstMs < best.firstMs)) best = f;
  }
  return best;
}

const norm = (s: string) => s.trim().toLowerCase();

/** The group a failure message belongs to: one message contains the other (a status message often prefixes the type). */
export function groupOfMessage(groups: readonly OnsetGroup[], message: string | null): OnsetGroup | null {
  if (message === null || norm(message) === '') return groups[0] ?? null;
  const m = norm(message);
  return (
    groups.find((g) => {
      const gm = g.message ? norm(g.message) : '';
      const full = g.type ? norm(`${g.type}: ${g.message ?? ''}`) : gm;
      return gm !== '' && (m.includes(gm) || gm.includes(m) || full.includes(m));
    }) ?? null
  );
}

/**
 * The onset of the users' trouble: the first of their dominant failure, or that failure's
 * error group's first occurrence when it lies within [lookBackStartMs, first failure].
 */
export function ticketOnset(
  failures: readonly UsersFailure[],
  groups: readonly OnsetGroup[],
  lookBackStartMs: number,
): TicketOnset | null {
  const failure = dominantFailure(failures);
  if (!failure) return null;
  const group = groupOfMessage(groups, failure.message);
  const first = group?.firstSeen ? Date.parse(group.firstSeen) : Number.NaN;
  if (Number.isFinite(first) && first >= lookBackStartMs && first < failure.firstMs) return { onsetMs: first, group };
  return { onsetMs: failure.firstMs, group: null };
}

const MINUTE = 60_000;

export interface TicketWindowInput {
  createdMs: number;
  /** The window's end: the ticket's filing plus the time after it, or now. */
  untilMs: number;
  /** Times the ticket mentions; those after it was filed (past a minute) are ignored. */
  stampsMs: readonly number[];
  /** The users' failures in the service where they failed first; null when they did not fail. */
  failure: {
    errors: number;
    firstError: Date | null;
    failures: ReadonlyArray<{ message: string | null; errors: number; first: Date }>;
  } | null;
  /** That service's error groups (most occurrences first). */
  groups: readonly OnsetGroup[] | null;
  /** With no failure: the named service's top error group. */
  linkedTopGroup: { firstSeen: string | null } | null;
}

export interface TicketWindowOptions {
  /** How far before the ticket its users' requests were read (24 h). */
  lookBackMs?: number;
  /** With nothing better, the window starts this long before the ticket (30 min). */
  fallbackMs?: number;
}

/**
 * A ticket's window start and onset. The onset comes from telemetry (the users' main failure,
 * or its error group's first occurrence); with no failure, the named service's top error group
 * dates it when it began within the look-back. What the customer wrote only widens the window.
 * A start at or after the window's end falls back to `fallbackMs` before it; such an onset is dropped.
 */
export function ticketWindow(
  i: TicketWindowInput,
  opts: TicketWindowOptions = {},
): { sinceMs: number; onsetMs?: number } {
  const lookBackMs = opts.lookBackMs ?? 24 * 60 * MINUTE;
  const fallbackMs = opts.fallbackMs ?? 30 * MINUTE;
  const stamps = i.stampsMs.filter((t) => t <= i.createdMs + MINUTE);
  let sinceMs = Math.min(i.failure?.firstError?.getTime() ?? i.createdMs - fallbackMs, ...stamps);
  let onsetMs: number | undefined;
  if (i.failure) {
    const a = i.failure;
    const failures = a.failures.length
      ? a.failures.map((f) => ({ ...f, firstMs: f.first.getTime() }))
      : [{ message: null, errors: a.errors, firstMs: a.firstError!.getTime() }];
    const onset = ticketOnset(failures, i.groups ?? [], i.createdMs - lookBackMs);
    if (onset) {
      onsetMs = onset.onsetMs;
      sinceMs = Math.min(onset.onsetMs, ...stamps);
    }
  } else if (i.linkedTopGroup) {
    const first = i.linkedTopGroup.firstSeen ? Date.parse(i.linkedTopGroup.firstSeen) : Number.NaN;
    if (Number.isFinite(first) && first >= i.createdMs - lookBackMs && first <= i.createdMs)
      sinceMs = Math.min(first, ...stamps);
  }
  if (sinceMs >= i.untilMs) sinceMs = i.untilMs - fallbackMs;
  if (onsetMs !== undefined && onsetMs >= i.untilMs) onsetMs = undefined;
  return { sinceMs, ...(onsetMs !== undefined ? { onsetMs } : {}) };
}
