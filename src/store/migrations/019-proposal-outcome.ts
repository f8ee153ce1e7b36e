// What an executed proposal did to the services it changed (proposal-outcome@1): resolved,
// not-resolved or made-worse, stored once decided (the first decision stands).
export default `
ALTER TABLE proposal ADD COLUMN outcome jsonb;
CREATE INDEX proposal_outcome_pending_idx ON proposal (executed_at) WHERE status = 'executed' AND outcome IS NULL;
`;
