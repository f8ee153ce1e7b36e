// Simulations (issue 19): each run is a row holding what was asked and the whole prediction as
// JSON, with the algorithm that made it and the telemetry window it was calibrated on (null for a
// kind that calibrates on none).
export default `
CREATE TABLE simulation (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('load', 'failure', 'change')),
  algorithm text NOT NULL,
  window_since timestamptz,
  window_until timestamptz,
  request jsonb NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX simulation_kind_id ON simulation (kind, id DESC);
`;
