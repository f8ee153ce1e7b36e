// Self time and call-edge own time per minute (rca's span-tree signals), rolled up from the raw
// span trees once a minute has closed, so that an investigation reads a few rows per service and
// minute instead of every trace of its window. span_time_rollup records the minutes rolled up:
// a minute is claimed in the transaction that writes its rows, so two nodes never both add it,
// and a reader takes a minute from these tables if it is claimed, else from the raw spans.
export default `
CREATE TABLE span_time_rollup (
  minute timestamptz PRIMARY KEY,
  spans bigint NOT NULL,          -- raw spans that started in the minute when it was rolled up
  share double precision NOT NULL -- the share of the minute's traces read (1: all; by trace-id hash)
);

CREATE TABLE self_time_minute (
  minute timestamptz NOT NULL,
  service text NOT NULL,
  visits bigint NOT NULL,
  latency bytea NOT NULL,         -- DDSketch of a visit's self time, milliseconds
  PRIMARY KEY (service, minute)
);

CREATE TABLE edge_time_minute (
  minute timestamptz NOT NULL,
  caller text NOT NULL,
  callee text NOT NULL,
  calls bigint NOT NULL,
  unanswered bigint NOT NULL,
  latency bytea NOT NULL,         -- DDSketch of the answered calls' own time, milliseconds
  PRIMARY KEY (minute, caller, callee)
);
CREATE INDEX edge_time_minute_caller ON edge_time_minute (caller, minute);
CREATE INDEX edge_time_minute_callee ON edge_time_minute (callee, minute);
`;
