// Linear webhooks: `type: "Issue"` with `action: create|update` (and `Comment` events that
// carry their issue's identifier and title), signed with Linear-Signature, the hex HMAC of
// the raw body. External id: the issue identifier (ENG-123).
import type { TicketStatus } from '../../../model/index.js';
import {
  get,
  header,
  labelList,
  normalizeStatus,
  optDate,
  optString,
  reqObject,
  reqString,
  rootObject,
} from './fields.js';
import { type Headers, type SignatureCheck, type TicketFormat, type WebhookOutcome, ticketInput } from './format.js';
import { deliveryHeader, hmac, sameSignature } from './signature.js';

const SIG = 'Linear-Signature';
const STATE_TYPE: Record<string, TicketStatus> = {
  triage: 'open',
  backlog: 'open',
  unstarted: 'open',
  started: 'pending',
  completed: 'closed',
  canceled: 'closed',
  duplicate: 'closed',
};
const PRIORITY = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];

export const linear: TicketFormat = {
  name: 'linear',
  source: 'linear',
  signature: {
    header: SIG,
    missing: (h: Headers) => !header(h, SIG),
    verify(rawBody: Buffer, h: Headers, secret: string): SignatureCheck {
      const given = header(h, SIG)!.trim().toLowerCase();
      return sameSignature(hmac(secret, rawBody, 'hex'), given)
        ? { ok: true }
        : { ok: false, reason: `${SIG} does not match the body signed with the configured secret` };
    },
    // `webhookTimestamp` (ms since the epoch) is in the signed body: when Linear sent the delivery.
    signedAt(_h: Headers, body: unknown) {
      const v = get(body, 'webhookTimestamp');
      const value = typeof v === 'number' || typeof v === 'string' ? String(v) : null;
      const ms = value !== null && /^\d{1,15}$/.test(value) ? Number(value) : null;
      return { name: 'webhookTimestamp', value, ms };
    },
  },
  // Linear-Delivery names one delivery; the body's webhookId names the webhook, the same for all of them.
  deliveryId: deliveryHeader('Linear-Delivery'),
  fromWebhook(_headers: Headers, body: unknown): WebhookOutcome {
    const p = rootObject(body, 'Linear');
    const type = reqString(p, 'type');
    const action = reqString(p, 'action');
    if (action === 'remove') return { kind: 'ignored', reason: `${type} removed; the ticket keeps what it had` };
    const data = reqObject(p, 'data');
    if (type === 'Comment') {
      const issue = get(data, 'issue');
      const identifier = optString(issue, 'identifier');
      const title = optString(issue, 'title');
      if (!identifier || !title)
        return { kind: 'ignored', reason: 'comment whose issue is not described in the payload' };
      return {
        kind: 'tickets',
        tickets: [
          ticketInput({
            source: 'linear',
            externalId: identifier,
            title,
            url: optString(issue, 'url'),
            comments: [
              {
                id: optString(data, 'id'),
                author: optString(data, 'user.email') ?? optString(data, 'user.name'),
                body: optString(data, 'body') ?? '',
                createdAt: optDate(data, 'createdAt', 'data.createdAt'),
              },
            ],
          }),
        ],
      };
    }
    if (type !== 'Issue') return { kind: 'ignored', reason: `type "${type}" is not an issue` };
    const stateType = optString(data, 'state.type');
    const stateName = optString(data, 'state.name');
    const priority = get(data, 'priority');
    return {
      kind: 'tickets',
      tickets: [
        ticketInput({
          source: 'linear',
          externalId: reqString(data, 'identifier', 'data.identifier'),
          title: reqString(data, 'title', 'data.title'),
          body: optString(data, 'description') ?? '',
          status: (stateType && STATE_TYPE[stateType]) || normalizeStatus(stateName),
          sourceStatus: stateName,
          createdAt: optDate(data, 'createdAt', 'data.createdAt'),
          updatedAt: optDate(data, 'updatedAt', 'data.updatedAt'),
          reporterEmail: optString(data, 'creator.email'),
          reporterName: optString(data, 'creator.name'),
          url: optString(data, 'url'),
          labels: labelList(get(data, 'labels')),
          priority:
            optString(data, 'priorityLabel') ?? (typeof priority === 'number' ? (PRIORITY[priority] ?? null) : null),
        }),
      ],
    };
  },
};
