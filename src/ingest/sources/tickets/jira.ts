// Jira Cloud: webhooks (`jira:issue_created`, `jira:issue_updated`, `comment_created`, …),
// signed with X-Hub-Signature when the webhook has a secret; and exports, both the REST
// search JSON (`{"issues": […]}`, one issue per record) and Jira's CSV columns. Rich-text
// fields may be Atlassian Document Format and are read as plain text. External id: the issue key.
import type { TicketCommentInput, TicketInput, TicketStatus } from '../../../model/index.js';
import { adfToText, isAdf } from './adf.js';
import { Columns } from './columns.js';
import {
  type Obj,
  get,
  isObj,
  labelList,
  normalizeStatus,
  optDate,
  optString,
  parseDate,
  reqObject,
  reqString,
  rootObject,
} from './fields.js';
import { type ExportShape, type Headers, type TicketFormat, type WebhookOutcome, ticketInput } from './format.js';
import { deliveryHeader, hubSignature } from './signature.js';

const CATEGORY: Record<string, TicketStatus> = { new: 'open', indeterminate: 'pending', done: 'closed' };

function richText(v: unknown): string {
  if (typeof v === 'string') return v;
  return isAdf(v) ? adfToText(v) : '';
}

function comment(c: unknown): TicketCommentInput {
  return {
    id: optString(c, 'id'),
    author: optString(c, 'author.emailAddress') ?? optString(c, 'author.displayName'),
    body: richText(get(c, 'body')),
    createdAt: optDate(c, 'created', 'comment.created'),
  };
}

/** The browse URL from the issue's REST `self` link: https://acme.atlassian.net/browse/SHOP-123. */
function browseUrl(issue: Obj, key: string): string | null {
  const self = optString(issue, 'self');
  if (!self) return null;
  try {
    return `${new URL(self).origin}/browse/${key}`;
  } catch {
    return null;
  }
}

/** An issue object as webhooks and the REST API send it. */
function fromIssue(issue: Obj, extra: TicketCommentInput[] = []): TicketInput {
  const key = reqString(issue, 'key', 'issue.key');
  const fields = reqObject(issue, 'fields', 'issue.fields');
  const statusName = optString(fields, 'status.name');
  const category = optString(fields, 'status.statusCategory.key');
  const listed = get(fields, 'comment.comments');
  const comments = (Array.isArray(listed) ? listed.map(comment) : []).concat(extra);
  return ticketInput({
    source: 'jira',
    externalId: key,
    title: reqString(fields, 'summary', 'issue.fields.summary'),
    body: richText(get(fields, 'description')),
    status: (category && CATEGORY[category]) || normalizeStatus(statusName),
    sourceStatus: statusName,
    createdAt: optDate(fields, 'created', 'issue.fields.created'),
    updatedAt: optDate(fields, 'updated', 'issue.fields.updated'),
    reporterEmail: optString(fields, 'reporter.emailAddress'),
    reporterName: optString(fields, 'reporter.displayName'),
    url: browseUrl(issue, key),
    labels: labelList(get(fields, 'labels')),
    priority: optString(fields, 'priority.name'),
    comments: dedupeComments(comments),
  });
}

/** A comment event repeats a comment the issue may already list; keep one per id. */
function dedupeComments(list: TicketCommentInput[]): TicketCommentInput[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    if (c.id === null) return true;
    if (seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
}

/** A row of Jira's CSV export. Comments are "date;author;text" in repeated "Comment" columns. */
function fromCsvRow(record: Obj): TicketInput {
  const c = new Columns(record);
  const status = c.text('status');
  return ticketInput({
    source: 'jira',
    externalId: c.required('Issue key', 'issue key', 'key'),
    title: c.required('Summary', 'summary'),
    body: c.text('description') ?? '',
    status: normalizeStatus(status),
    sourceStatus: status,
    createdAt: c.date('Created', 'created'),
    updatedAt: c.date('Updated', 'updated'),
    reporterEmail: c.text('reporter email'),
    reporterName: c.text('reporter'),
    labels: labelList(c.all('labels')),
    priority: c.text('priority'),
    comments: c.all('comment').map((raw) => {
      const m = /^([^;]+);([^;]*);([\s\S]*)$/.exec(raw);
      const at = m ? parseDate(m[1]) : null;
      return at && m
        ? { id: null, author: m[2] || null, body: m[3]!, createdAt: at.toISOString() }
        : { id: null, author: null, body: raw, createdAt: null };
    }),
  });
}

export const jira: TicketFormat = {
  name: 'jira',
  source: 'jira',
  // The body's `timestamp` is signed, but Jira's retries resend the same body for up to hours, so
  // it cannot bound a window; a replay is caught by its delivery id or the issue's older `updated`.
  signature: hubSignature('X-Hub-Signature'),
  deliveryId: deliveryHeader('X-Atlassian-Webhook-Identifier'),
  fromWebhook(_headers: Headers, body: unknown): WebhookOutcome {
    const p = rootObject(body, 'Jira');
    const event = optString(p, 'webhookEvent');
    if (event === 'jira:issue_deleted')
      return { kind: 'ignored', reason: 'issue deleted; the ticket keeps what it had' };
    if (event && !/^jira:issue_(created|updated)$|^comment_(created|updated)$/.test(event)) {
      return { kind: 'ignored', reason: `event "${event}" is not an issue or comment event` };
    }
    const issue = reqObject(p, 'issue');
    const extra = event?.startsWith('comment_') && isObj(p.comment) ? [comment(p.comment)] : [];
    return { kind: 'tickets', tickets: [fromIssue(issue, extra)] };
  },
  fromExportRecord(record: Obj, shape: ExportShape): TicketInput {
    return shape === 'json' ? fromIssue(record) : fromCsvRow(record);
  },
};
