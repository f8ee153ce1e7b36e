// Support tickets: the normalized input every ticket format produces, the identifiers a
// ticket mentions, and what the store keeps. Emails exist in clear only in TicketInput
// (in memory, on the way in); everything stored carries keyed hashes instead.

/** Every source's status folded into three states; the source's own word is kept beside it. */
export type TicketStatus = 'open' | 'pending' | 'closed';

export interface TicketCommentInput {
  /** The source's comment id, used to merge comments that arrive in separate webhooks. */
  id: string | null;
  /** The author's handle or email; hashed before it is stored. */
  author: string | null;
  body: string;
  createdAt: string | null;
}

/** One ticket as a format read it: what `fromWebhook` and `fromExportRecord` return. */
export interface TicketInput {
  /** 'github', 'jira', 'zendesk', 'linear', or the generic API's caller-chosen source. */
  source: string;
  /** Unique within the source: `owner/repo#12`, `SHOP-123`, a Zendesk id, `ENG-42`. */
  externalId: string;
  title: string;
  body: string;
  status: TicketStatus;
  /** The status as the source spelled it ("In Progress", "solved"), or null. */
  sourceStatus: string | null;
  /** ISO-8601; null when the source gave none (ingest then uses the arrival time). */
  createdAt: string | null;
  updatedAt: string | null;
  /** In clear only here; stored as a keyed hash. */
  reporterEmail: string | null;
  reporterName: string | null;
  url: string | null;
  labels: string[];
  priority: string | null;
  comments: TicketCommentInput[];
  /** Ids the source states in fields (a CSV "user id" column), beside those found in the text. */
  userIds: string[];
  accountIds: string[];
}

export const MENTION_KINDS = [
  'email',
  'user',
  'account',
  'url',
  'route',
  'error',
  'trace',
  'version',
  'timestamp',
  'service',
] as const;
export type MentionKind = (typeof MENTION_KINDS)[number];

/**
 * One identifier found in a ticket. `value` is the join key, normalized per kind: an email's
 * keyed hash (`h:…`), a lower-case trace id, a URL without query or fragment, a version
 * without its `v`. `template` generalizes it where several values mean the same thing: a
 * route with ids as `:id`, an error message with numbers as `<n>`. `at` is the instant a
 * timestamp mention resolves to.
 */
export interface Mention {
  kind: MentionKind;
  value: string;
  template?: string;
  at?: string;
}

/** Where in a ticket a mention was found. */
export type MentionField = 'title' | 'body' | 'comment' | 'reporter' | 'field';

/** A mention as stored: one row per (ticket, kind, value) in `ticket_mention`. */
export interface TicketMention extends Mention {
  fields: MentionField[];
  count: number;
}

export interface TicketComment {
  id: string | null;
  authorHash: string | null;
  body: string;
  createdAt: string | null;
}

export interface Ticket {
  id: number;
  source: string;
  externalId: string;
  title: string;
  /** Text as stored: emails replaced by `[email h:…]`. */
  body: string;
  status: TicketStatus;
  sourceStatus: string | null;
  reporterHash: string | null;
  url: string | null;
  labels: string[];
  priority: string | null;
  createdAt: string;
  updatedAt: string | null;
  ingestedAt: string;
  comments: TicketComment[];
  problemId: number | null;
}

/** The entities a ticket links to (rows of `link` with src_kind 'ticket'). */
export type TicketLinkTarget = 'end_user' | 'account' | 'trace' | 'service';

export interface TicketLink {
  kind: string;
  dstKind: TicketLinkTarget;
  /** The target's natural key: user or account external id, trace id, service name. */
  dstId: string;
  attributes: Record<string, unknown>;
}

export interface TicketDetail {
  ticket: Ticket;
  mentions: TicketMention[];
  links: TicketLink[];
}

/** A ticket as /api/tickets lists it: without its body and comments, with how much it mentions and links. */
export interface TicketSummary extends Omit<Ticket, 'body' | 'comments'> {
  mentionCount: number;
  linkCount: number;
}
