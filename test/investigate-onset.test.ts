// ticketWindow on fixtures: the users' main failure dates the trouble, its error group moves it
// earlier, a remembered time only widens the window, with no failure the named service's top
// group dates it within the look-back, and starts and onsets past the window's end fall back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TicketWindowInput, ticketWindow } from '../src/analysis/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const CREATED = Date.parse('2026-12-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const input = (over: Partial<TicketWindowInput> = {}): TicketWindowInput => ({
  createdMs: CREATED,
  untilMs: CREATED + 30 * MIN,
  stampsMs: [],
  failure: null,
  groups: null,
  linkedTopGroup: null,
  ...over,
});
const failure = (firstMs: number, message = 'TypeError: x is undefined') => ({
  errors: 4,
  firstError: new Date(firstMs),
  failures: [{ message, errors: 4, first: new Date(firstMs) }],
});

describe('ticketWindow', () => {
  it("starts at the users' main failure, or its error group's first occurrence", () => {
    assert.deepEqual(ticketWindow(input({ failure: failure(CREATED - 20 * MIN), groups: [] })), {
      sinceMs: CREATED - 20 * MIN,
      onsetMs: CREATED - 20 * MIN,
    });
    const groups = [
      { fingerprint: 'fp', type: 'TypeError', message: 'x is undefined', firstSeen: iso(CREATED - HOUR) },
    ];
    assert.deepEqual(ticketWindow(input({ failure: failure(CREATED - 20 * MIN), groups })), {
      sinceMs: CREATED - HOUR,
      onsetMs: CREATED - HOUR,
    });
  });

  it('widens the window to an earlier time the ticket mentions, never past its filing', () => {
    const w = ticketWindow(
      input({ failure: failure(CREATED - 20 * MIN), groups: [], stampsMs: [CREATED - 45 * MIN, CREATED + 2 * HOUR] }),
    );
    assert.deepEqual(w, { sinceMs: CREATED - 45 * MIN, onsetMs: CREATED - 20 * MIN });
  });

  it("with no failure, the named service's top group dates it only within the look-back", () => {
    const within = ticketWindow(input({ linkedTopGroup: { firstSeen: iso(CREATED - 3 * HOUR) } }));
    assert.deepEqual(within, { sinceMs: CREATED - 3 * HOUR });
    const before = ticketWindow(input({ linkedTopGroup: { firstSeen: iso(CREATED - 25 * HOUR) } }));
    assert.deepEqual(before, { sinceMs: CREATED - 30 * MIN }, 'outside the look-back: half an hour before');
    assert.deepEqual(ticketWindow(input()), { sinceMs: CREATED - 30 * MIN });
  });

  it("falls back when the start is at or after the window's end, and drops such an onset", () => {
    const w = ticketWindow(input({ untilMs: CREATED - 40 * MIN, failure: failure(CREATED - 20 * MIN), groups: [] }));
    assert.deepEqual(w, { sinceMs: CREATED - 70 * MIN });
  });
});
