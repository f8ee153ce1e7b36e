// The world-model entities of DESIGN.md, the audit trail and API tokens.
export default `
CREATE TABLE service (
  id bigserial PRIMARY KEY,
  namespace text NOT NULL DEFAULT '',
  name text NOT NULL,
  repository_id bigint,
  attributes jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz,
  last_seen timestamptz,
  UNIQUE (namespace, name)
);

CREATE TABLE repository (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  path text NOT NULL,
  default_branch text,
  head_sha text,
  synced_at timestamptz
);

CREATE TABLE file (
  id bigserial PRIMARY KEY,
  repository_id bigint NOT NULL REFERENCES repository ON DELETE CASCADE,
  path text NOT NULL,
  language text,
  blob_sha text,
  lines integer,
  owners text[] NOT NULL DEFAULT '{}',
  service_id bigint REFERENCES service ON DELETE SET NULL,
  UNIQUE (repository_id, path)
);

CREATE TABLE symbol (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES file ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL,
  parent text,
  start_line integer NOT NULL,
  end_line integer NOT NULL
);
CREATE INDEX symbol_file ON symbol (file_id);
CREATE INDEX symbol_name ON symbol (name);

CREATE TABLE commit (
  repository_id bigint NOT NULL REFERENCES repository ON DELETE CASCADE,
  sha text NOT NULL,
  author_name text,
  author_email_hash text,
  authored_at timestamptz NOT NULL,
  committed_at timestamptz,
  message text NOT NULL DEFAULT '',
  parents text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (repository_id, sha)
);
CREATE INDEX commit_time ON commit (repository_id, committed_at);

CREATE TABLE commit_file (
  repository_id bigint NOT NULL,
  sha text NOT NULL,
  path text NOT NULL,
  additions integer,
  deletions integer,
  PRIMARY KEY (repository_id, sha, path),
  FOREIGN KEY (repository_id, sha) REFERENCES commit ON DELETE CASCADE
);
CREATE INDEX commit_file_path ON commit_file (repository_id, path);

CREATE TABLE deploy (
  id bigserial PRIMARY KEY,
  service text NOT NULL,
  environment text NOT NULL DEFAULT '',
  version text NOT NULL,
  commit_sha text,
  previous_commit_sha text,
  deployed_at timestamptz NOT NULL,
  inferred boolean NOT NULL DEFAULT false,
  source text NOT NULL DEFAULT 'api',
  attributes jsonb NOT NULL DEFAULT '{}',
  UNIQUE (service, environment, version)
);
CREATE INDEX deploy_time ON deploy (service, deployed_at);

CREATE TABLE endpoint (
  id bigserial PRIMARY KEY,
  service text NOT NULL,
  name text NOT NULL,
  handler_symbol_id bigint REFERENCES symbol ON DELETE SET NULL,
  first_seen timestamptz,
  last_seen timestamptz,
  UNIQUE (service, name)
);

CREATE TABLE log_pattern (
  id bigserial PRIMARY KEY,
  service text NOT NULL,
  algorithm text NOT NULL,
  template text NOT NULL,
  level text,
  first_seen timestamptz,
  last_seen timestamptz,
  count bigint NOT NULL DEFAULT 0,
  samples jsonb NOT NULL DEFAULT '[]',
  callsite_symbol_id bigint REFERENCES symbol ON DELETE SET NULL,
  UNIQUE (service, algorithm, template)
);

CREATE TABLE error_group (
  id bigserial PRIMARY KEY,
  service text NOT NULL,
  algorithm text NOT NULL,
  fingerprint text NOT NULL,
  type text,
  message text,
  frames jsonb NOT NULL DEFAULT '[]',
  first_seen timestamptz,
  first_release text,
  last_seen timestamptz,
  count bigint NOT NULL DEFAULT 0,
  UNIQUE (service, algorithm, fingerprint)
);

CREATE TABLE account (
  id bigserial PRIMARY KEY,
  external_id text NOT NULL UNIQUE,
  name text,
  first_seen timestamptz,
  last_seen timestamptz
);

CREATE TABLE end_user (
  id bigserial PRIMARY KEY,
  external_id text NOT NULL UNIQUE,
  account_id bigint REFERENCES account ON DELETE SET NULL,
  first_seen timestamptz,
  last_seen timestamptz
);

CREATE TABLE problem (
  id bigserial PRIMARY KEY,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  priority double precision,
  service text,
  fingerprint text UNIQUE,
  first_seen timestamptz,
  last_seen timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticket (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  external_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  body text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open',
  reporter_hash text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz,
  mentions jsonb NOT NULL DEFAULT '{}',
  problem_id bigint REFERENCES problem ON DELETE SET NULL,
  UNIQUE (source, external_id)
);

CREATE TABLE investigation (
  id bigserial PRIMARY KEY,
  problem_id bigint REFERENCES problem ON DELETE SET NULL,
  subject jsonb NOT NULL,
  algorithm text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  result jsonb NOT NULL,
  previous_id bigint REFERENCES investigation ON DELETE SET NULL,
  diff jsonb
);

CREATE TABLE proposal (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  target text NOT NULL,
  investigation_id bigint REFERENCES investigation ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'approved', 'rejected', 'executed', 'failed')),
  justification jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  decided_by text,
  executed_at timestamptz,
  result jsonb
);

-- Edges of the graph that are not a column of one of the entities above
-- (ticket→user, ticket→trace, deploy→commit range, …).
CREATE TABLE link (
  src_kind text NOT NULL,
  src_id text NOT NULL,
  kind text NOT NULL,
  dst_kind text NOT NULL,
  dst_id text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (src_kind, src_id, kind, dst_kind, dst_id)
);
CREATE INDEX link_dst ON link (dst_kind, dst_id);

CREATE TABLE audit_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  subject_kind text,
  subject_id text,
  detail jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE api_token (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX api_token_live_name ON api_token (name) WHERE revoked_at IS NULL;
`;
