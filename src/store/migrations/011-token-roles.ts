// Every API token gets one role (model TOKEN_ROLES). Tokens made before roles existed could
// do everything, so they become `admin`; new rows must name their role.
export default `
ALTER TABLE api_token ADD COLUMN role text NOT NULL DEFAULT 'admin';
ALTER TABLE api_token ALTER COLUMN role DROP DEFAULT;
ALTER TABLE api_token ADD CONSTRAINT api_token_role CHECK (role IN ('ingest', 'viewer', 'operator', 'approver', 'admin'));
CREATE INDEX audit_event_at ON audit_event (at);
`;
