// The LLM narrative's check: it stands only when every sentence cites known findings and every
// number, time and identifier in it comes from the result; the prompt is bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NARRATIVE_PROMPT_MAX_CHARS,
  checkNarrative,
  narrativeMessages,
  splitSentences,
} from '../src/analysis/investigate/narrative.js';
import type { Finding, InvestigationResult } from '../src/model/index.js';

function fixture(): InvestigationResult {
  const findings: Finding[] = [
    {
      id: 'F1',
      kind: 'root_cause_service',
      title: 'cart is the likely root cause',
      confidence: 0.93,
      hint: 'error-group TypeError rose (12 of 40 tests significant, rca@1)',
      evidence: [
        {
          kind: 'error_group',
          summary: 'cart error-group TypeError: 2.0 → 147 events/min (poisson, q=2.1e-6)',
          ref: 'fp-3c91',
          query: '/api/errors/fp-3c91?service=cart',
          rows: [{ baseline: 2, incident: 147.3, p: 1.2e-7, q: 2.1e-6 }],
        },
      ],
      data: { service: 'cart', score: 8.25, symptoms: [] },
    },
    {
      id: 'F2',
      kind: 'change',
      title: 'deploy of cart 1.4.0 (8a2fb20a9a)',
      confidence: 0.78,
      hint: 'cart 1.4.0 went out 8 min before the onset (recorded by api)',
      evidence: [
        { kind: 'deploy', summary: 'cart 1.4.0 at 2026-11-22T17:21:00.000Z', ref: '5', query: '/api/deploys/5' },
      ],
      data: {
        deployId: 5,
        service: 'cart',
        version: '1.4.0',
        commit: '8a2fb20a9a41c2d8e0f7b6a5c4d3e2f1a0b9c8d7',
        previousCommit: null,
        deployedAt: '2026-11-22T17:21:00.000Z',
      },
    },
    {
      id: 'F3',
      kind: 'impact',
      title: '1234 users and 17 accounts hit TypeError in cart',
      confidence: 0.9,
      hint: 'distinct ids merged from per-minute HyperLogLog sketches (≈1% error) (42% of 2938 active); trend rising',
      evidence: [
        { kind: 'users', summary: 'TypeError: cannot read total — 5120 events since 2026-11-22T17:00:00.000Z' },
      ],
      // Figures the rest of the result already holds (severity 0.6: the check below needs a result without a 1).
      data: {
        service: 'cart',
        users: 1234,
        accounts: 17,
        activeUsers: 2938,
        growth: 3.2,
        series: [],
        tickets: 0,
        severity: 0.6,
      },
    },
  ];
  return {
    algorithm: 'investigate@2',
    subject: { kind: 'alert', service: 'web', since: '2026-11-22T17:00:00.000Z' },
    window: {
      since: '2026-11-22T17:00:00.000Z',
      until: '2026-11-22T18:00:00.000Z',
      onset: '2026-11-22T17:29:18.000Z',
      baselineSince: '2026-11-22T15:00:00.000Z',
      baselineUntil: '2026-11-22T17:00:00.000Z',
    },
    summary:
      'cart is the likely root cause [F1] after the deploy of cart 1.4.0 (8a2fb20a9a) [F2]; 1234 users and 17 accounts hit TypeError in cart [F3].',
    findings,
    priority: {
      score: 2.45,
      formula:
        'severity × (log10(1+users) + 0.5·log10(1+accounts)) × max(0.25, 1 + 0.5·log2(growth)) × (1 + 0.2·tickets)',
      inputs: { severity: 1, users: 1234, accounts: 17, activeUsers: 2938, growth: 3.2, tickets: 0 },
    },
    narrative: null,
    gaps: ['no deploy of web in the 6 h before the onset'],
  };
}

const GOOD =
  'Cart is the likely root cause, with 93% confidence [F1]. ' +
  'TypeError in cart rose from 2 to 147 events per minute after 17:29 UTC (q=2.1e-6) [F1]. ' +
  'It began 8 min after cart 1.4.0 (8a2fb20) went out at 17:21, so that deploy is the prime suspect [F2]. ' +
  '1,234 users and 17 accounts are hit, 42% of active users [F3, F1]. ' +
  'No deploy of web was found in the 6 h before the onset, so web changes are not ruled out [F2].';

function problems(text: string, r = fixture()): string[] {
  const c = checkNarrative(text, r);
  assert.equal(c.ok, false, `expected a rejection of: ${text}`);
  return c.ok ? [] : c.problems;
}

describe('checkNarrative', () => {
  it('accepts a narrative whose every sentence cites findings and whose figures all come from them', () => {
    const c = checkNarrative(GOOD, fixture());
    assert.deepEqual(c, { ok: true, citations: ['F1', 'F2', 'F3'] });
  });

  it('accepts the deterministic summary, which follows the same rules', () => {
    const r = fixture();
    assert.deepEqual(checkNarrative(r.summary, r), { ok: true, citations: ['F1', 'F2', 'F3'] });
  });

  it('rejects a citation of an id that is not a finding, alone or in a list, and a bare mention of one', () => {
    assert.deepEqual(problems('Cart is the likely root cause [F9].'), ['cites F9, which is not a finding']);
    assert.deepEqual(problems('Cart is the likely root cause [F1, F4].'), ['cites F4, which is not a finding']);
    assert.ok(
      problems('Cart is the likely root cause, as F7 shows [F1].').includes('mentions F7, which is not a finding'),
    );
    assert.match(problems('Cart broke [F1 or maybe F2].')[0]!, /unreadable citation \[F1 or maybe F2\]/);
  });

  it('rejects a sentence with no citation, but reads a citation just after the full stop as the sentence’s own', () => {
    const p = problems('Cart is the likely root cause [F1]. Users are unhappy. The deploy came first [F2].');
    assert.deepEqual(p, ['sentence 2 cites no finding: "Users are unhappy."']);
    assert.equal(checkNarrative('Cart is the likely root cause. [F1] The deploy came first [F2].', fixture()).ok, true);
    assert.deepEqual(splitSentences('Cart broke [F1]. [F2] shows the deploy. It went out at 17:21 [F2].'), [
      'Cart broke [F1].',
      '[F2] shows the deploy.',
      'It went out at 17:21 [F2].',
    ]);
    // "e.g." and decimals do not end a sentence.
    assert.deepEqual(splitSentences('Errors rose, e.g. in cart, at 0.93 [F1]. Done [F2].'), [
      'Errors rose, e.g. in cart, at 0.93 [F1].',
      'Done [F2].',
    ]);
  });

  it('rejects numbers, times, dates and identifiers the result does not hold', () => {
    const cases: [string, RegExp][] = [
      ['About 5,000 users are hit [F3].', /states 5,000/],
      ['Errors rose to 148 events per minute [F1].', /states 148/],
      ['Errors rose 73x [F1].', /states 73x/],
      ['3 deploys went out [F2].', /states 3,/],
      ['1200 users are hit [F3].', /states 1200/], // 1234 written with its trailing zeros claims 1200 exactly
      ['Half the users, 50%, are hit [F3].', /states 50%/],
      ['Errors started at 17:31 [F1].', /time or date "17:31"/],
      ['Errors started at 6:29 PM [F1].', /time or date "6:29 PM"/],
      ['The deploy went out on Nov 21 [F2].', /time or date "Nov 21"/],
      ['The deploy went out at 2026-11-22T17:25Z [F2].', /time or date "2026-11-22T17:25Z"/],
      ['Commit deadbeef1 is to blame [F2].', /names "deadbeef1"/],
      ['Cart v1.5.0 is to blame [F2].', /names "v1.5.0"/],
      ['p99 latency doubled [F1].', /names "p99"/],
    ];
    // 0.93 and 0.9 round to 1, but a small count must appear exactly (this result has no 1).
    const noOne = fixture();
    noOne.priority!.inputs.severity = 0.6;
    assert.match(problems('Cart is 1 step from recovery [F1].', noOne)[0]!, /states 1,/);
    for (const [text, re] of cases) {
      const p = problems(text);
      assert.ok(
        p.some((x) => re.test(x)),
        `${text} → ${p.join(' | ')}`,
      );
    }
  });

  it('accepts supported figures written another way: rounded, as percentages, scaled, with separators, as clock times and dates', () => {
    const ok = [
      'Confidence is 0.93 [F1].',
      'Confidence is 0.9 [F1].',
      'Confidence is 93% [F1].',
      'Confidence is 93 percent [F1].',
      'Confidence is 78% for the deploy [F2].',
      '1,234 users are hit [F3].',
      '1234 users are hit [F3].',
      '1.2k users are hit [F3].',
      'About 5.1k events were seen [F3].',
      'Errors reached 147.3 per minute [F1].',
      'The share is 0.42 of active users [F3].',
      'The q-value was 2.1e-6 and p was 1.2e-7 [F1].',
      'The onset was 17:29 [F1].',
      'The onset was 17:29:18 UTC [F1].',
      'The onset was 5:29 PM [F1].',
      'The onset was at 2026-11-22T17:29Z [F1].',
      'It happened on 2026-11-22 [F1].',
      'It happened on Nov 22 [F1].',
      'It happened on 22 November 2026 [F1].',
      'It went out 8min before the onset [F2].',
      'Commit 8A2FB20A9A41 shipped in v1.4.0 [F2].',
      'This is the 2nd sign [F1].',
      'Priority is 2.45 with growth 3.2 [F3].',
    ];
    for (const text of ok)
      assert.deepEqual(
        checkNarrative(text, fixture()).ok,
        true,
        `${text}: ${JSON.stringify(checkNarrative(text, fixture()))}`,
      );
  });

  it('does not take numbers from the priority formula or the algorithm name', () => {
    // The formula holds 0.25 and 0.2; investigate@2 holds a 1. Neither is a claim about the incident.
    assert.match(problems('A quarter, 0.25, of checkouts fail [F1].')[0]!, /states 0\.25/);
    assert.match(problems('Only 0.2 of users retried [F3].')[0]!, /states 0\.2,/);
  });

  it('rejects empty and oversized text', () => {
    assert.deepEqual(problems('   '), ['the text is empty']);
    assert.deepEqual(problems('— [[ ]] —'), ['the text has no sentences']);
    const long = 'Cart is the likely root cause [F1]. '.repeat(120);
    assert.match(problems(long)[0]!, /over the 4000 allowed/);
  });
});

describe('narrativeMessages', () => {
  it('asks for cited sentences, with only the findings’ numbers, and hands over findings, priority and gaps', () => {
    const r = fixture();
    const [system, user] = narrativeMessages(r);
    assert.equal(system!.role, 'system');
    assert.match(system!.content, /3 to 6 sentences/);
    assert.match(system!.content, /\[F2\]/);
    assert.match(system!.content, /Use only numbers/);
    assert.match(system!.content, /gaps/);
    assert.equal(user!.role, 'user');
    assert.match(user!.content, /ids you may cite: F1, F2, F3/);
    const payload = JSON.parse(user!.content.slice(user!.content.indexOf('{'))) as {
      findings: { id: string; confidence: number; hint: string; evidence: string[] }[];
      gaps: string[];
      priority: { score: number };
    };
    assert.deepEqual(
      payload.findings.map((f) => f.id),
      ['F1', 'F2', 'F3'],
    );
    assert.equal(payload.findings[0]!.confidence, 0.93);
    assert.match(payload.findings[0]!.evidence[0]!, /147 events\/min/);
    assert.deepEqual(payload.gaps, r.gaps);
    assert.equal(payload.priority.score, 2.45);
  });

  it('stays within its bound for a large result, counting the findings it leaves out', () => {
    const r = fixture();
    const big = 'x'.repeat(3000);
    r.findings = Array.from({ length: 200 }, (_, i) => ({
      ...r.findings[0]!,
      id: `F${i + 1}`,
      title: `signal ${i} ${big}`,
      hint: big,
      evidence: Array.from({ length: 8 }, () => ({ kind: 'log' as const, summary: big })),
    }));
    const user = narrativeMessages(r)[1]!.content;
    assert.ok(user.length <= NARRATIVE_PROMPT_MAX_CHARS, `${user.length}`);
    const payload = JSON.parse(user.slice(user.indexOf('{'))) as { findings: unknown[]; omittedFindings: number };
    assert.ok(payload.findings.length >= 5, `${payload.findings.length} findings kept`);
    assert.equal(payload.findings.length + payload.omittedFindings, 200);
  });
});
