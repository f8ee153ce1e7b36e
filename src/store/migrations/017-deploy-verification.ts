// Deploy verification (deploy-verify@1), migration 17: a deploy's decided verdict, when it was decided and the
// whole verification as JSON (findings, evidence, tests, controls), kept on the deploy so that
// listing deploys shows it; null while it is still watched (or was never verified).
export default `
ALTER TABLE deploy
  ADD COLUMN verdict text,
  ADD COLUMN verified_at timestamptz,
  ADD COLUMN verification jsonb,
  ADD CONSTRAINT deploy_verdict_known CHECK (verdict IS NULL OR verdict IN ('healthy', 'regressed', 'inconclusive'));
CREATE INDEX deploy_unverified ON deploy (deployed_at) WHERE verdict IS NULL;
`;
