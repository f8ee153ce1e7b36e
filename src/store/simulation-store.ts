// Simulations: one row per run, the request and the whole result as JSON, with the algorithm id
// and the window it was calibrated on.
import type {
  FailureOutcome,
  ResourceKind,
  Simulation,
  SimulationHeadline,
  SimulationKind,
  SimulationRequest,
  SimulationResult,
  SimulationSummary,
  SimulationWindow,
} from '../model/index.js';
import type { Queryable, Row } from './db.js';

const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

function windowOf(r: Row): SimulationWindow | null {
  return r.window_since === null || r.window_until === null
    ? null
    : { since: iso(r.window_since), until: iso(r.window_until) };
}

/** The run's fields beside its request and result (a summary less its headline). */
function toRun(r: Row): Omit<SimulationSummary, 'headline'> {
  return {
    id: Number(r.id),
    kind: r.kind as SimulationKind,
    algorithm: String(r.algorithm),
    window: windowOf(r),
    request: r.request as SimulationRequest,
    createdAt: iso(r.created_at),
  };
}

export interface SimulationWrite {
  request: SimulationRequest;
  result: SimulationResult;
  algorithm: string;
  window: SimulationWindow | null;
}

export async function insertSimulation(db: Queryable, w: SimulationWrite): Promise<Simulation> {
  const rows = await db.query(
    `INSERT INTO simulation (kind, algorithm, window_since, window_until, request, result)
     VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::jsonb, $6::jsonb) RETURNING *`,
    [
      w.request.kind,
      w.algorithm,
      w.window?.since ?? null,
      w.window?.until ?? null,
      JSON.stringify(w.request),
      JSON.stringify(w.result),
    ],
  );
  const r = rows[0] as Row;
  return { ...toRun(r), result: r.result as SimulationResult };
}

export async function getSimulation(db: Queryable, id: number): Promise<Simulation | null> {
  const rows = await db.query('SELECT * FROM simulation WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { ...toRun(r), result: r.result as SimulationResult } : null;
}

/**
 * The headline from the parts of the result the list reads (`head`: load's bottleneck, knee and
 * scannedTo; failure's service, modeText and summary; change's summary as changeSummary).
 */
function headlineOf(kind: SimulationKind, head: Row | null): SimulationHeadline | null {
  if (!head) return null;
  if (kind === 'change') {
    const c = head.changeSummary as {
      entryEndpoints: number;
      runtimeConfirmed: number;
      staticOnly: number;
      services: number;
    } | null;
    if (!c) return null;
    return {
      kind: 'change',
      entryEndpoints: c.entryEndpoints,
      runtimeConfirmed: c.runtimeConfirmed,
      staticOnly: c.staticOnly,
      services: c.services,
    };
  }
  if (kind === 'failure') {
    const summary = head.summary as Record<FailureOutcome, number> | null;
    if (!summary) return null;
    return { kind: 'failure', service: String(head.service), modeText: String(head.modeText), summary };
  }
  if (kind !== 'load') return null;
  const b = head.bottleneck as {
    service: string;
    resource: ResourceKind;
    saturatesAt: { value: number | null };
  } | null;
  return {
    kind: 'load',
    bottleneck: b ? { service: b.service, resource: b.resource, saturatesAt: b.saturatesAt.value } : null,
    knee: (head.knee as { value: number | null } | null)?.value ?? null,
    scannedTo: Number(head.scannedTo),
  };
}

/** Newest first; of one kind when given. Each with its headline, read from the result in the database. */
export async function listSimulations(
  db: Queryable,
  opts: { limit: number; kind?: SimulationKind },
): Promise<SimulationSummary[]> {
  const rows = await db.query(
    `SELECT id, kind, algorithm, window_since, window_until, request, created_at,
            jsonb_build_object('bottleneck', result->'bottleneck', 'knee', result->'knee', 'scannedTo', result->'scannedTo',
                               'service', result->'service', 'modeText', result->'modeText', 'summary',
                               CASE WHEN kind = 'failure' THEN result->'summary' END,
                               'changeSummary', CASE WHEN kind = 'change' THEN result->'summary' END) AS head
       FROM simulation ${opts.kind ? 'WHERE kind = $2' : ''} ORDER BY id DESC LIMIT $1`,
    opts.kind ? [opts.limit, opts.kind] : [opts.limit],
  );
  return rows.map((r) => ({ ...toRun(r), headline: headlineOf(r.kind as SimulationKind, r.head as Row | null) }));
}
