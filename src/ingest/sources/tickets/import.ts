// Ticket export files: which shapes are read (generic, Zendesk and Jira, as CSV or JSON),
// telling them apart, and reading a whole file into TicketInputs. The whole file is read
// before anything is written, so a bad record fails the import with its row named.
import { parse as parseCsv } from 'csv-parse/sync';
import type { TicketInput } from '../../../model/index.js';
import { columnKey } from './columns.js';
import { type Obj, isObj } from './fields.js';
import { type ExportShape, type TicketFormat, TicketFormatError } from './format.js';
import { generic } from './generic.js';
import { jira } from './jira.js';
import { zendesk } from './zendesk.js';

export const IMPORT_FORMATS = [
  'generic-csv',
  'generic-json',
  'zendesk-csv',
  'zendesk-json',
  'jira-csv',
  'jira-json',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const READERS: Record<ImportFormat, { format: TicketFormat; shape: ExportShape; listKey?: string }> = {
  'generic-csv': { format: generic, shape: 'csv' },
  'generic-json': { format: generic, shape: 'json', listKey: 'tickets' },
  'zendesk-csv': { format: zendesk, shape: 'csv' },
  'zendesk-json': { format: zendesk, shape: 'json', listKey: 'tickets' },
  'jira-csv': { format: jira, shape: 'csv' },
  'jira-json': { format: jira, shape: 'json', listKey: 'issues' },
};

/** A file that cannot be imported; the message names the row or record and the field. */
export class ImportError extends Error {}

interface Rec {
  record: Obj;
  /** "row 3 (line 4)" or "record 3", for error messages. */
  where: string;
}

function csvRecords(content: string): Rec[] {
  let rows: Array<{ record: Obj; info: { lines: number } }>;
  try {
    rows = parseCsv(content, {
      columns: true,
      group_columns_by_name: true,
      bom: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
    });
  } catch (err) {
    throw new ImportError(`not a readable CSV file: ${(err as Error).message}`);
  }
  return rows.map((r, i) => ({ record: r.record, where: `row ${i + 1} (line ${r.info.lines})` }));
}

function jsonRecords(content: string, listKey: string | undefined): Rec[] {
  const text = content.replace(/^\uFEFF/, '').trim();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // Newline-delimited JSON (Zendesk's full export): one object per line.
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    if (lines.length > 1 && lines[0]!.trim().startsWith('{')) {
      return lines.map((line, i) => {
        try {
          return { record: JSON.parse(line) as Obj, where: `line ${i + 1}` };
        } catch (e) {
          throw new ImportError(`line ${i + 1} is not JSON: ${(e as Error).message}`);
        }
      });
    }
    throw new ImportError(`not a readable JSON file: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc)
    ? doc
    : isObj(doc) && listKey && Array.isArray(doc[listKey])
      ? doc[listKey]
      : isObj(doc)
        ? [doc]
        : null;
  if (!list)
    throw new ImportError(
      `expected ${listKey ? `{"${listKey}": […]}, ` : ''}an array of objects, or one object per line`,
    );
  return list.map((record, i) => {
    if (!isObj(record)) throw new ImportError(`record ${i + 1} is not an object`);
    return { record, where: `record ${i + 1}` };
  });
}

export interface ParseImportOptions {
  /** Overrides the `source` of generic imports (default "generic"). */
  source?: string;
  /** Used only to guess the format when it is 'auto'. */
  filename?: string;
}

/** Reads a whole export file into tickets, or throws ImportError naming the first bad record. */
export function parseImport(
  format: ImportFormat | 'auto',
  content: string,
  opts: ParseImportOptions = {},
): { format: ImportFormat; tickets: TicketInput[] } {
  const chosen = format === 'auto' ? detectImportFormat(content, opts.filename) : format;
  const reader = READERS[chosen];
  const records = reader.shape === 'csv' ? csvRecords(content) : jsonRecords(content, reader.listKey);
  if (records.length === 0) throw new ImportError('the file holds no tickets');
  const tickets = records.map(({ record, where }) => {
    try {
      const t = reader.format.fromExportRecord!(record, reader.shape);
      return opts.source && reader.format === generic ? { ...t, source: opts.source } : t;
    } catch (err) {
      if (err instanceof TicketFormatError) throw new ImportError(`${where}: ${err.message}`);
      throw err;
    }
  });
  return { format: chosen, tickets };
}

/** Guesses the export shape from the file name and its header row or top-level keys. */
export function detectImportFormat(content: string, filename?: string): ImportFormat {
  const ext = filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  const head = content.replace(/^\uFEFF/, '').trimStart();
  const looksJson = ext === 'json' || ext === 'ndjson' || ext === 'jsonl' || (ext !== 'csv' && /^[[{]/.test(head));
  if (looksJson) {
    let first: unknown;
    try {
      first = JSON.parse(head);
    } catch {
      try {
        first = JSON.parse(head.split(/\r?\n/, 1)[0]!);
      } catch {
        throw new ImportError('the file is neither JSON nor newline-delimited JSON');
      }
    }
    if (isObj(first) && Array.isArray(first.issues)) return 'jira-json';
    const sample = Array.isArray(first)
      ? first[0]
      : isObj(first) && Array.isArray(first.tickets)
        ? first.tickets[0]
        : first;
    if (isObj(sample) && isObj(sample.fields) && 'key' in sample) return 'jira-json';
    if (isObj(sample) && ('requester_id' in sample || 'via' in sample || 'raw_subject' in sample))
      return 'zendesk-json';
    return 'generic-json';
  }
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  let columns: string[];
  try {
    columns = (parseCsv(firstLine, { to_line: 1, relax_quotes: true }) as string[][])[0]?.map(columnKey) ?? [];
  } catch {
    throw new ImportError('the file is neither JSON nor CSV with a header row');
  }
  if (columns.includes('issue key')) return 'jira-csv';
  const zendeskOnly = ['requester email', 'requester id', 'requester domain', 'via', 'ticket type', 'group'];
  if (columns.includes('subject') && zendeskOnly.some((c) => columns.includes(c))) {
    return 'zendesk-csv';
  }
  return 'generic-csv';
}
