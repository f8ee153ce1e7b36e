// Remediation proposals (propose@1) take over migration 1's `proposal` table: the action, where
// it came from, what it rests on (evidence, simulation, preconditions, blast radius, dry-run
// diff, risk), who proposed it and when it expires, and the execution's claim. A claim is a
// conditional UPDATE (status approved → executing, with the node and a lease) so that one node
// runs an approved proposal once; a claim whose lease ran out is recovered by another node.
// proposal_decision holds each identity's one approval or rejection.
export default `
ALTER TABLE proposal DROP CONSTRAINT IF EXISTS proposal_status_check;
ALTER TABLE proposal ADD CONSTRAINT proposal_status_check CHECK (status IN
  ('proposed', 'approved', 'rejected', 'expired', 'executing', 'executed', 'failed', 'needs-attention'));
ALTER TABLE proposal ADD COLUMN algorithm text;
ALTER TABLE proposal ADD COLUMN title text;
ALTER TABLE proposal ADD COLUMN action jsonb;
ALTER TABLE proposal ADD COLUMN source jsonb;
ALTER TABLE proposal ADD COLUMN body jsonb;
ALTER TABLE proposal ADD COLUMN tier text;
ALTER TABLE proposal ADD COLUMN approvals_required int;
ALTER TABLE proposal ADD COLUMN proposer text;
ALTER TABLE proposal ADD COLUMN expires_at timestamptz;
ALTER TABLE proposal ADD COLUMN executor text;
ALTER TABLE proposal ADD COLUMN claimed_by text;
ALTER TABLE proposal ADD COLUMN claimed_at timestamptz;
ALTER TABLE proposal ADD COLUMN lease_until timestamptz;
ALTER TABLE proposal ADD COLUMN attempts int NOT NULL DEFAULT 0;
ALTER TABLE proposal ADD COLUMN execution jsonb;
CREATE INDEX proposal_status_idx ON proposal (status, expires_at);
CREATE TABLE proposal_decision (
  proposal_id bigint NOT NULL REFERENCES proposal ON DELETE CASCADE,
  actor text NOT NULL,
  actor_name text,
  verdict text NOT NULL CHECK (verdict IN ('approve', 'reject')),
  comment text,
  counted boolean NOT NULL,
  why text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (proposal_id, actor)
);
`;
