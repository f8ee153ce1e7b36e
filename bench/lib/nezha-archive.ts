// The Nezha TrainTicket archive, extracted once into the bench cache; patterns-speed and
// accuracy nezha share the extraction.
import { join } from 'node:path';
import { extractOnce } from './archive-cache.js';
import { datasetsRoot } from './loghub.js';

export const NEZHA_ARCHIVE = 'trainticket-2023-01-29.tar.xz';

export function nezhaArchivePath(): string {
  return join(datasetsRoot(), 'nezha-trainticket', NEZHA_ARCHIVE);
}

/** The folder holding rca_data/ and construct_data/, extracting the archive the first time. */
export function extractNezhaOnce(archive: string, log: (s: string) => void): Promise<string> {
  return extractOnce(archive, 'nezha', 'rca_data', log);
}
