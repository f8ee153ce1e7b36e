// Webhook deliveries already stored, by the sender's delivery id (GitHub X-GitHub-Delivery,
// Linear-Delivery, Jira X-Atlassian-Webhook-Identifier, Zendesk's invocation id): a delivery
// sent again is acknowledged without being applied. Rows older than the window in
// ticket-store.DELIVERY_MEMORY are pruned as new ones arrive; past that, a repeated delivery
// is still refused when its source's updated time is older than the stored ticket's.
export default `
CREATE TABLE webhook_delivery (
  source text NOT NULL,
  delivery_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, delivery_id)
);
CREATE INDEX webhook_delivery_received ON webhook_delivery (received_at);
`;
