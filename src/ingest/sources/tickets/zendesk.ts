// Zendesk: webhooks in the two shapes Zendesk sends, a trigger's JSON body built from
// placeholders (`{"ticket": {…}}`) and event-subscription webhooks (`zen:event-type:ticket.*`
// with the ticket in `detail`), signed with X-Zendesk-Webhook-Signature when a secret is set;
// and exports, the API's ticket JSON and the CSV export's column names. External id: the ticket id.
import type { TicketCommentInput, TicketInput } from '../../../model/index.js';
import { Columns } from './columns.js';
import {
  type Obj,
  get,
  header,
  idList,
  isObj,
  labelList,
  normalizeStatus,
  optDate,
  optString,
  reqObject,
  reqString,
  rootObject,
} from './fields.js';
import {
  type ExportShape,
  type Headers,
  type SignatureCheck,
  type TicketFormat,
  type WebhookOutcome,
  ticketInput,
} from './format.js';
import { deliveryHeader, hmac, sameSignature } from './signature.js';

const SIG = 'X-Zendesk-Webhook-Signature';
const SIG_TS = 'X-Zendesk-Webhook-Signature-Timestamp';
/** Zendesk's timestamps: ISO-8601 to the second, in UTC (`2021-03-25T05:09:27Z`). */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function comments(v: unknown): TicketCommentInput[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((c) => ({
    id: optString(c, 'id'),
    author: optString(c, 'author.email') ?? optString(c, 'author.name') ?? optString(c, 'author_id'),
    body: optString(c, 'plain_body') ?? optString(c, 'body') ?? '',
    createdAt: optDate(c, 'created_at', 'comments[].created_at'),
  }));
}

/** A ticket object: the API's, a trigger body's `ticket`, or an event's `detail`. `at` names it in errors. */
function fromTicket(t: Obj, at: string, extra: TicketCommentInput[] = []): TicketInput {
  const status = optString(t, 'status');
  const latest = optString(t, 'latest_comment') ?? optString(t, 'comment');
  const description = optString(t, 'description') ?? '';
  return ticketInput({
    source: 'zendesk',
    externalId: reqString(t, 'id', `${at}.id`),
    title: optString(t, 'subject') ?? reqString(t, 'title', `${at}.subject`),
    body: latest && latest !== description ? `${description}\n\n${latest}`.trim() : description,
    status: normalizeStatus(status),
    sourceStatus: status,
    createdAt: optDate(t, 'created_at', `${at}.created_at`),
    updatedAt: optDate(t, 'updated_at', `${at}.updated_at`),
    reporterEmail:
      optString(t, 'requester.email') ?? optString(t, 'requester_email') ?? optString(t, 'via.source.from.address'),
    reporterName:
      optString(t, 'requester.name') ?? optString(t, 'requester_name') ?? optString(t, 'via.source.from.name'),
    url: optString(t, 'url'),
    labels: labelList(get(t, 'tags')),
    priority: optString(t, 'priority'),
    comments: comments(get(t, 'comments')).concat(extra),
    accountIds: idList(get(t, 'organization.external_id') ?? get(t, 'organization_external_id')),
  });
}

function fromCsvRow(record: Obj): TicketInput {
  const c = new Columns(record);
  const status = c.text('status');
  return ticketInput({
    source: 'zendesk',
    externalId: c.required('Id', 'id', 'ticket id'),
    title: c.required('Subject', 'subject'),
    body: c.text('description') ?? '',
    status: normalizeStatus(status),
    sourceStatus: status,
    createdAt: c.date('Created at', 'created at'),
    updatedAt: c.date('Updated at', 'updated at'),
    reporterEmail: c.text('requester email'),
    reporterName: c.text('requester'),
    url: c.text('url'),
    labels: labelList(c.raw('tags')),
    priority: c.text('priority'),
  });
}

export const zendesk: TicketFormat = {
  name: 'zendesk',
  source: 'zendesk',
  signature: {
    header: `${SIG} + ${SIG_TS}`,
    missing: (h: Headers) => !header(h, SIG),
    verify(rawBody: Buffer, h: Headers, secret: string): SignatureCheck {
      const ts = header(h, SIG_TS);
      if (!ts) return { ok: false, reason: `${SIG_TS} is missing: it is signed together with the body` };
      const expected = hmac(secret, Buffer.concat([Buffer.from(ts, 'utf8'), rawBody]), 'base64');
      return sameSignature(expected, header(h, SIG)!.trim())
        ? { ok: true }
        : { ok: false, reason: `${SIG} does not match the timestamp and body signed with the configured secret` };
    },
    signedAt(h: Headers) {
      const value = header(h, SIG_TS)?.trim() ?? null;
      const ms = value && ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
      return { name: SIG_TS, value, ms: Number.isFinite(ms) ? ms : null };
    },
  },
  deliveryId: deliveryHeader('X-Zendesk-Webhook-Invocation-Id'),
  fromWebhook(_headers: Headers, body: unknown): WebhookOutcome {
    const p = rootObject(body, 'Zendesk');
    const type = optString(p, 'type');
    if (type?.startsWith('zen:event-type:')) {
      if (!type.startsWith('zen:event-type:ticket.'))
        return { kind: 'ignored', reason: `event "${type}" is not a ticket event` };
      const detail = reqObject(p, 'detail');
      const c = get(p, 'event.comment');
      return { kind: 'tickets', tickets: [fromTicket(detail, 'detail', isObj(c) ? comments([c]) : [])] };
    }
    return { kind: 'tickets', tickets: [fromTicket(reqObject(p, 'ticket'), 'ticket')] };
  },
  fromExportRecord(record: Obj, shape: ExportShape): TicketInput {
    return shape === 'json' ? fromTicket(record, 'tickets[]') : fromCsvRow(record);
  },
};
