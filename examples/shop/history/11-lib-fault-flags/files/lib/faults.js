// Fault flags for game days. FAULT_FLAGS_FILE names a JSON file the flag store mounts (in a
// drill, the platform team edits it); we re-read it twice a second. { "errorRate": 0.3 }
// fails that share of requests with a 500. No file, a file we cannot read, or 0 is normal
// service.
import { readFileSync } from 'node:fs';
import { log } from './log.js';

const FILE = process.env.FAULT_FLAGS_FILE || null;
const POLL_MS = 500;

let errorRate = 0;
let lastText = null;

function reload() {
  let text;
  try {
    text = readFileSync(FILE, 'utf8');
  } catch {
    text = '';
  }
  if (text === lastText) return;
  lastText = text;
  let next = 0;
  if (text.trim()) {
    try {
      const rate = Number(JSON.parse(text).errorRate ?? 0);
      next = Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
    } catch {
      // Caught mid-write: keep what we had and read it again next time.
      lastText = null;
      return;
    }
  }
  if (next !== errorRate) log.info('fault flags: errorRate is now %s', next);
  errorRate = next;
}

if (FILE) {
  reload();
  setInterval(reload, POLL_MS).unref();
}

/** Whether the drill fails this request. */
export function drillFails() {
  return errorRate > 0 && Math.random() < errorRate;
}
