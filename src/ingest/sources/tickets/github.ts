// GitHub Issues webhooks: `issues` and `issue_comment` events (X-GitHub-Event), signed with
// X-Hub-Signature-256. `ping` is answered; comments on pull requests and other events are
// acknowledged and ignored. External id: `owner/repo#number`.
import type { TicketCommentInput } from '../../../model/index.js';
import {
  get,
  header,
  isObj,
  labelList,
  normalizeStatus,
  optDate,
  optString,
  reqObject,
  reqString,
  rootObject,
} from './fields.js';
import { type Headers, type TicketFormat, TicketFormatError, type WebhookOutcome, ticketInput } from './format.js';
import { deliveryHeader, hubSignature } from './signature.js';

function comment(c: unknown): TicketCommentInput {
  return {
    id: optString(c, 'id'),
    author: optString(c, 'user.login'),
    body: optString(c, 'body') ?? '',
    createdAt: optDate(c, 'created_at', 'comment.created_at'),
  };
}

export const github: TicketFormat = {
  name: 'github',
  source: 'github',
  // GitHub signs no time: a replay is caught by its delivery id or its issue's older updated_at.
  signature: hubSignature('X-Hub-Signature-256'),
  deliveryId: deliveryHeader('X-GitHub-Delivery'),
  fromWebhook(headers: Headers, body: unknown): WebhookOutcome {
    const event = header(headers, 'x-github-event');
    if (!event)
      throw new TicketFormatError(
        'missing X-GitHub-Event header: is this a GitHub webhook delivery?',
        'X-GitHub-Event',
      );
    const p = rootObject(body, 'GitHub');
    if (event === 'ping')
      return { kind: 'ignored', reason: `pong (hook ${optString(p, 'hook_id') ?? '?'})`, status: 200 };
    if (event !== 'issues' && event !== 'issue_comment') {
      return {
        kind: 'ignored',
        reason: `event "${event}" is not about issues; subscribe to Issues and Issue comments only`,
      };
    }
    const issue = reqObject(p, 'issue');
    if (event === 'issue_comment' && isObj(issue.pull_request))
      return { kind: 'ignored', reason: 'comment on a pull request, not an issue' };
    const action = optString(p, 'action');
    const comments: TicketCommentInput[] = [];
    if (event === 'issue_comment') {
      if (action === 'deleted') return { kind: 'ignored', reason: 'comment deleted; the ticket keeps what it had' };
      comments.push(comment(reqObject(p, 'comment')));
    }
    const repo = reqString(p, 'repository.full_name');
    const number = reqString(issue, 'number', 'issue.number');
    const state = action === 'deleted' ? 'deleted' : optString(issue, 'state');
    return {
      kind: 'tickets',
      tickets: [
        ticketInput({
          source: 'github',
          externalId: `${repo}#${number}`,
          title: reqString(issue, 'title', 'issue.title'),
          body: optString(issue, 'body') ?? '',
          status: normalizeStatus(state),
          sourceStatus: state,
          createdAt: optDate(issue, 'created_at', 'issue.created_at'),
          updatedAt: optDate(issue, 'updated_at', 'issue.updated_at'),
          reporterName: optString(issue, 'user.login'),
          url: optString(issue, 'html_url'),
          labels: labelList(get(issue, 'labels')),
          comments,
        }),
      ],
    };
  },
};
