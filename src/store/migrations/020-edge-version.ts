// The caller's version on the service-graph edges (edge_minute.version), so deploy verification
// splits a service's calls by the version that made them, as it splits its requests: a
// rollout's overlap minute then counts for each version's own calls. '' where unknown (rows from
// before this migration, or spans without service.version).
export default `
ALTER TABLE edge_minute ADD COLUMN version text NOT NULL DEFAULT '';
`;
