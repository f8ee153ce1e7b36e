// Streaming analysis (patterns@1, errors@1, RED, the service graph): the mined entities and
// their per-minute aggregates. Minute rows are append-only: each analysis flush of each node
// adds rows, and readers sum counts and merge the sketches (DDSketch for latency, HyperLogLog
// for distinct users and accounts, stored as bytea). Nothing is updated in place, so any
// number of nodes can write the same minute.
export default `
-- A pattern keeps its id (pattern_key) while its template generalises; template is its latest form.
ALTER TABLE log_pattern DROP CONSTRAINT log_pattern_service_algorithm_template_key;
ALTER TABLE log_pattern ADD COLUMN pattern_key text NOT NULL DEFAULT '';
ALTER TABLE log_pattern ADD COLUMN slots jsonb NOT NULL DEFAULT '[]';
ALTER TABLE log_pattern ADD COLUMN merged_into text;      -- the pattern_key it converged into
ALTER TABLE log_pattern ADD COLUMN first_version text;    -- service.version of the first line seen
CREATE UNIQUE INDEX log_pattern_key ON log_pattern (service, algorithm, pattern_key);

ALTER TABLE error_group ADD COLUMN samples jsonb NOT NULL DEFAULT '[]';
ALTER TABLE error_group ADD COLUMN runtime text;

CREATE TABLE pattern_minute (
  minute timestamptz NOT NULL,
  service text NOT NULL,
  pattern_key text NOT NULL,
  version text NOT NULL DEFAULT '',
  count bigint NOT NULL,
  users bytea,        -- HyperLogLog of user ids, null when no line carried one
  accounts bytea
);
CREATE INDEX pattern_minute_key ON pattern_minute (service, pattern_key, minute);
CREATE INDEX pattern_minute_time ON pattern_minute (minute);

CREATE TABLE error_minute (
  minute timestamptz NOT NULL,
  service text NOT NULL,
  fingerprint text NOT NULL,
  version text NOT NULL DEFAULT '',
  count bigint NOT NULL,
  users bytea,
  accounts bytea
);
CREATE INDEX error_minute_key ON error_minute (service, fingerprint, minute);
CREATE INDEX error_minute_time ON error_minute (minute);

CREATE TABLE red_minute (
  minute timestamptz NOT NULL,
  service text NOT NULL,
  endpoint text NOT NULL,     -- http.route, else the span name; '<other>' past the endpoint limit
  version text NOT NULL DEFAULT '',
  requests bigint NOT NULL,
  errors bigint NOT NULL,
  latency bytea NOT NULL,     -- DDSketch of milliseconds, 1% relative accuracy
  users bytea,
  accounts bytea
);
CREATE INDEX red_minute_key ON red_minute (service, endpoint, minute);
CREATE INDEX red_minute_time ON red_minute (minute);

CREATE TABLE edge_minute (
  minute timestamptz NOT NULL,
  caller text NOT NULL,
  callee text NOT NULL,
  calls bigint NOT NULL,
  errors bigint NOT NULL,
  latency bytea NOT NULL      -- DDSketch of the callee span's milliseconds
);
CREATE INDEX edge_minute_key ON edge_minute (caller, callee, minute);
CREATE INDEX edge_minute_time ON edge_minute (minute);
`;
