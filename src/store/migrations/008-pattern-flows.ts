// patterns@2: a pattern's log call site (the code.* attributes its lines carried, as
// `<file or function>:<line>`), null when its lines named none; and the log flow: per
// minute, how often one pattern's line was followed by another's in the same span.
export default `
ALTER TABLE log_pattern ADD COLUMN site text;

CREATE TABLE flow_minute (
  minute timestamptz NOT NULL,
  service text NOT NULL,
  from_key text NOT NULL,
  to_key text NOT NULL,
  count bigint NOT NULL
);
CREATE INDEX flow_minute_time ON flow_minute (minute);
CREATE INDEX flow_minute_from ON flow_minute (service, from_key);
CREATE INDEX flow_minute_to ON flow_minute (service, to_key);
`;
