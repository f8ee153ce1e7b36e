// The audit trail becomes a hash chain (analysis/audit/chain): each entry gets its position
// (seq), the hash of the entry before it, its own hash and an HMAC of that under the audit
// key, which is kept outside the database. audit_chain holds the chain's head, one row, locked
// by each append so that positions are given out one at a time across connections and nodes;
// its legacy fields record the entries written before the chain began, which stay unchained.
export default `
ALTER TABLE audit_event ADD COLUMN seq bigint UNIQUE;
ALTER TABLE audit_event ADD COLUMN prev_hash text;
ALTER TABLE audit_event ADD COLUMN hash text;
ALTER TABLE audit_event ADD COLUMN mac text;
CREATE TABLE audit_chain (
  id int PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text,
  legacy_count bigint,
  legacy_max_id bigint
);
INSERT INTO audit_chain (id, seq) VALUES (1, 0);
`;
