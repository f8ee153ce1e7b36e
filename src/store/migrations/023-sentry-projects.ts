// Sentry SDK ingest: projects, and the `sentry-ingest` role of the keys in their DSNs. A DSN is
// public (it ships in browser bundles), so its key may only post events to its own project:
// each such key names its project, and only such keys do.
export default `
CREATE TABLE sentry_project (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE api_token ADD COLUMN sentry_project_id bigint REFERENCES sentry_project (id);
ALTER TABLE api_token DROP CONSTRAINT api_token_role;
ALTER TABLE api_token ADD CONSTRAINT api_token_role
  CHECK (role IN ('ingest', 'viewer', 'operator', 'approver', 'admin', 'sentry-ingest'));
ALTER TABLE api_token ADD CONSTRAINT api_token_sentry_project
  CHECK ((role = 'sentry-ingest') = (sentry_project_id IS NOT NULL));
`;
