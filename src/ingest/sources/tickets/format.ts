// The one interface every ticket format implements (DESIGN: one interface per extension
// point, one shared conformance test): read a webhook in the sender's native shape, and
// optionally a record of the sender's export files, into normalized TicketInputs.
import type { TicketInput } from '../../../model/index.js';

export type ExportShape = 'json' | 'csv';

export type Headers = Record<string, string | string[] | undefined>;

/** What a webhook delivery means: tickets to upsert, or nothing to do (and why). */
export type WebhookOutcome =
  | { kind: 'tickets'; tickets: TicketInput[] }
  /** `status` 200 for a handshake such as GitHub's ping; otherwise the delivery is acknowledged with 202. */
  | { kind: 'ignored'; reason: string; status?: 200 | 202 };

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** The time a sender signed, as sent: `value` null when the delivery lacks it; `ms` null when it is not a time. */
export interface SignedTime {
  /** Where it is, for messages: a header name or a body field. */
  name: string;
  value: string | null;
  ms: number | null;
}

export interface WebhookSignature {
  /** The header(s) the sender signs with, for error messages and docs. */
  header: string;
  /** True when the request carries no signature at all. */
  missing(headers: Headers): boolean;
  verify(rawBody: Buffer, headers: Headers, secret: string): SignatureCheck;
  /**
   * For senders whose signature covers the time of sending (Zendesk's timestamp header,
   * Linear's `webhookTimestamp`): that time, read from a delivery whose signature verified, so
   * that a replayed one can be refused (signature.ts checkSignedTime). Absent for senders that
   * sign no time (GitHub) or sign one their retries repeat (Jira).
   */
  signedAt?(headers: Headers, body: unknown): SignedTime;
}

export interface TicketFormat {
  name: string;
  /** The `source` of the tickets it produces, shared by its webhook and its exports so that both upsert one row. */
  source: string;
  signature?: WebhookSignature;
  /** Throws TicketFormatError naming the field when the payload lacks one the ticket needs. */
  fromWebhook(headers: Headers, body: unknown): WebhookOutcome;
  /**
   * The sender's id of this delivery, the same on its retries (GitHub X-GitHub-Delivery, …), or
   * null: a delivery stored once is not applied again. Not signed by any sender, so it only
   * catches honest repeats; stale updated times catch the rest.
   */
  deliveryId?(headers: Headers): string | null;
  /** One record of an export file: a JSON object, or a CSV row keyed by column name (repeated columns as arrays). */
  fromExportRecord?(record: Record<string, unknown>, shape: ExportShape): TicketInput;
}

/** Bad input from outside; `field` names what was missing or wrong (e.g. `issue.fields.summary`). */
export class TicketFormatError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Fills the optional parts of a TicketInput so that each format states only what it knows. */
export function ticketInput(
  t: Pick<TicketInput, 'source' | 'externalId' | 'title'> & Partial<TicketInput>,
): TicketInput {
  return {
    source: t.source,
    externalId: t.externalId,
    title: t.title,
    body: t.body ?? '',
    status: t.status ?? 'open',
    sourceStatus: t.sourceStatus ?? null,
    createdAt: t.createdAt ?? null,
    updatedAt: t.updatedAt ?? null,
    reporterEmail: t.reporterEmail ?? null,
    reporterName: t.reporterName ?? null,
    url: t.url ?? null,
    labels: t.labels ?? [],
    priority: t.priority ?? null,
    comments: t.comments ?? [],
    userIds: t.userIds ?? [],
    accountIds: t.accountIds ?? [],
  };
}
