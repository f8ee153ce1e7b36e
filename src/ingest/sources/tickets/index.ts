// The ticket sources: one TicketFormat per sender (generic, GitHub, Jira, Zendesk, Linear)
// and the export-file readers for `orrery tickets import`.
import type { TicketFormat } from './format.js';
import { generic } from './generic.js';
import { github } from './github.js';
import { jira } from './jira.js';
import { linear } from './linear.js';
import { zendesk } from './zendesk.js';

export { TicketFormatError, ticketInput } from './format.js';
export type {
  ExportShape,
  Headers,
  SignatureCheck,
  SignedTime,
  TicketFormat,
  WebhookOutcome,
  WebhookSignature,
} from './format.js';
export { MAX_TICKETS_PER_REQUEST } from './generic.js';
export { IMPORT_FORMATS, ImportError, detectImportFormat, parseImport } from './import.js';
export type { ImportFormat, ParseImportOptions } from './import.js';
export { INLINE_PARSE_BYTES, parseImportOffThread } from './import-off-thread.js';
export { checkSignedTime, hmac } from './signature.js';
export type { SignedTimeWindow } from './signature.js';
export { generic, github, jira, linear, zendesk };

/** Every format; the conformance suite runs each of them. */
export const TICKET_FORMATS: readonly TicketFormat[] = [generic, github, jira, zendesk, linear];

/** The formats that have a webhook route (/webhooks/<name>); generic arrives through POST /api/tickets. */
export const WEBHOOK_FORMATS: readonly TicketFormat[] = [github, jira, zendesk, linear];
