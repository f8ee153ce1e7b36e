// Simulations: one row per run, the request and the whole result as JSON, with the algorithm id
// and the window it was calibrated on.
import type {
  Simulation,
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

function toSummary(r: Row): SimulationSummary {
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
  return { ...toSummary(r), result: r.result as SimulationResult };
}

export async function getSimulation(db: Queryable, id: number): Promise<Simulation | null> {
  const rows = await db.query('SELECT * FROM simulation WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { ...toSummary(r), result: r.result as SimulationResult } : null;
}

/** Newest first; of one kind when given. */
export async function listSimulations(
  db: Queryable,
  opts: { limit: number; kind?: SimulationKind },
): Promise<SimulationSummary[]> {
  const rows = await db.query(
    `SELECT id, kind, algorithm, window_since, window_until, request, created_at FROM simulation
      ${opts.kind ? 'WHERE kind = $2' : ''} ORDER BY id DESC LIMIT $1`,
    opts.kind ? [opts.limit, opts.kind] : [opts.limit],
  );
  return rows.map(toSummary);
}
