// Tickets: what each ticket mentions (ticket_mention, indexed by kind + value for the joins
// investigations make: same user, account, error, route, time), the per-install secret that
// keys email hashes, and an index for matching a mentioned route against the routes spans served.

/**
 * `span.http_route` in the form routes are compared in: placeholders (`:name`, `{name}`,
 * `<name>`) as `:id`, no trailing slash, lower case. `routeKey` in analysis/ticket-mentions
 * computes the same in TypeScript; the query must repeat this expression to use the index.
 */
export const SPAN_ROUTE_KEY_SQL = String.raw`lower(rtrim(regexp_replace(http_route, '(:[A-Za-z_][A-Za-z0-9_]*|\{[^/}]*\}|<[^/>]*>)', ':id', 'g'), '/'))`;

export default `
-- Secrets generated once per install (e.g. 'email-hash-key'); never leave the database.
CREATE TABLE instance_secret (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE ticket
  ADD COLUMN source_status text,          -- the sender's own word ("In Progress", "solved")
  ADD COLUMN url text,
  ADD COLUMN labels text[] NOT NULL DEFAULT '{}',
  ADD COLUMN priority text,
  ADD COLUMN comments jsonb NOT NULL DEFAULT '[]',   -- [{id, authorHash, body, createdAt}]
  ADD COLUMN ingested_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT ticket_status_known CHECK (status IN ('open', 'pending', 'closed'));
-- ticket.mentions holds {algorithm, items: [...]}: the same mentions as ticket_mention, for display.
CREATE INDEX ticket_created ON ticket (created_at);
CREATE INDEX ticket_reporter ON ticket (reporter_hash) WHERE reporter_hash IS NOT NULL;

-- One row per (ticket, kind, value). value is the join key (an email's keyed hash, a user
-- id, a lower-case trace id, …); template generalizes it (a route with ids as :id, an error
-- message with numbers as <n>); at is the instant a timestamp mention resolves to.
CREATE TABLE ticket_mention (
  ticket_id bigint NOT NULL REFERENCES ticket ON DELETE CASCADE,
  kind text NOT NULL,
  value text NOT NULL,
  template text,
  at timestamptz,
  fields text[] NOT NULL,                 -- where it was found: title, body, comment, reporter, field
  count integer NOT NULL DEFAULT 1,
  PRIMARY KEY (ticket_id, kind, value)
);
CREATE INDEX ticket_mention_value ON ticket_mention (kind, value);
CREATE INDEX ticket_mention_template ON ticket_mention (kind, template) WHERE template IS NOT NULL;
CREATE INDEX ticket_mention_at ON ticket_mention (at) WHERE at IS NOT NULL;

-- Which services served a route, by the route's comparison key (see SPAN_ROUTE_KEY_SQL).
-- Server spans only (kind 2): they are the ones that served it, and they are a fraction of all
-- spans, which keeps the cost on the ingest path small.
CREATE INDEX span_route_key ON span ((${SPAN_ROUTE_KEY_SQL}), service) WHERE http_route IS NOT NULL AND kind = 2;
`;
