// Spans by account: a ticket's investigation reads the spans of its users OR its accounts; with
// no index on account_id, the OR made PostgreSQL scan every span of the look-back window.
export default `
CREATE INDEX span_account ON span (account_id) WHERE account_id IS NOT NULL;
`;
