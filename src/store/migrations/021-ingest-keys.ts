// Exactly-once ingest: the key of every batch committed in the last hour or two (a hash of the
// signal and the request body), written in the batch's own transaction. A client's retry of a
// batch already committed finds its key and stores nothing; the primary key makes this hold
// across nodes on one database (the second transaction waits for the first, then conflicts).
// Raw tables are partitioned by time, so they cannot carry one unique key themselves.
export default `
CREATE TABLE ingest_key (
  key text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_key_received ON ingest_key (received_at);
`;
