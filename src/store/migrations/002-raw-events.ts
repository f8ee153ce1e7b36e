// Raw log records, spans and metric points for the retention window. Each table is
// range-partitioned by day of arrival (received_at), so retention drops whole partitions.
// Resource and scope attributes repeat across a batch, so they are stored once in
// resource_set and referenced by hash.
export default `
CREATE TABLE resource_set (
  hash text PRIMARY KEY,
  resource jsonb NOT NULL,
  scope jsonb NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE log_record (
  received_at timestamptz NOT NULL,
  time timestamptz NOT NULL,
  observed_time timestamptz,
  service text NOT NULL,
  service_version text,
  environment text,
  severity_number smallint NOT NULL DEFAULT 0,
  severity_text text NOT NULL DEFAULT '',
  body text NOT NULL,
  event_name text,
  trace_id text,
  span_id text,
  user_id text,
  account_id text,
  flags integer NOT NULL DEFAULT 0,
  attributes jsonb NOT NULL,
  resource_hash text NOT NULL
) PARTITION BY RANGE (received_at);
CREATE INDEX log_record_time ON log_record USING brin (time);
CREATE INDEX log_record_service_time ON log_record (service, time);
CREATE INDEX log_record_trace ON log_record (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX log_record_user ON log_record (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE span (
  received_at timestamptz NOT NULL,
  trace_id text NOT NULL,
  span_id text NOT NULL,
  parent_span_id text,
  trace_state text,
  name text NOT NULL,
  kind smallint NOT NULL DEFAULT 0,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  duration_ns bigint NOT NULL,
  status_code smallint NOT NULL DEFAULT 0,
  status_message text,
  service text NOT NULL,
  service_version text,
  environment text,
  http_route text,
  user_id text,
  account_id text,
  attributes jsonb NOT NULL,
  events jsonb,
  links jsonb,
  resource_hash text NOT NULL
) PARTITION BY RANGE (received_at);
CREATE INDEX span_time ON span USING brin (start_time);
CREATE INDEX span_service_time ON span (service, start_time);
CREATE INDEX span_trace ON span (trace_id);
CREATE INDEX span_user ON span (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE metric_point (
  received_at timestamptz NOT NULL,
  time timestamptz NOT NULL,
  start_time timestamptz,
  service text NOT NULL,
  service_version text,
  environment text,
  name text NOT NULL,
  description text,
  unit text,
  kind text NOT NULL,
  temporality smallint NOT NULL DEFAULT 0,
  monotonic boolean NOT NULL DEFAULT false,
  value double precision,
  count bigint,
  detail jsonb,
  attributes jsonb NOT NULL,
  resource_hash text NOT NULL
) PARTITION BY RANGE (received_at);
CREATE INDEX metric_point_name_time ON metric_point (service, name, time);
`;
