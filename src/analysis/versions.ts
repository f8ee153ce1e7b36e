// The registry of algorithm ids: every versioned algorithm, its current id (imported from the
// one constant that defines it), where its results are stored, and a dated changelog of what
// each version changed and the effect measured on the accuracy benches. The rule it records:
// a change that alters an algorithm's output gets a new id (test/algorithm-versions.test.ts
// fails otherwise), and each stored result keeps the id that made it.
import { INVESTIGATE_ALGORITHM } from '../model/index.js';
import { REDACT_ALGORITHM } from '../ingest/transforms/index.js';
import { CODE_EXTRACTION_ALGORITHM, GRPC_LINK_ALGORITHM } from './code/index.js';
import { COMMIT_RANGE_ALGORITHM } from './commit-range.js';
import { ERRORS_ALGORITHM } from './errors/index.js';
import { PATTERNS_ALGORITHM } from './patterns/index.js';
import { RCA_ALGORITHM } from './rca/index.js';
import { SIM_FAILURE_ALGORITHM, SIM_LOAD_ALGORITHM } from './simulate/index.js';
import { SIM_CHANGE_ALGORITHM } from './simulate/change/index.js';
import { REVIEW_ALGORITHM } from './review/index.js';
import { LOCALIZE_ALGORITHM, SIMILAR_TICKETS_ALGORITHM } from './retrieval/index.js';
import { DDSKETCH_ALGORITHM, HLL_ALGORITHM } from './sketch/index.js';
import { TICKET_MENTIONS_ALGORITHM } from './ticket-mentions.js';
import { TRIAGE_ALGORITHM } from './triage/index.js';
import { PROPOSAL_OUTCOME_ALGORITHM, PROPOSE_ALGORITHM } from './remediate/index.js';
import { DEPLOY_VERIFY_ALGORITHM } from './verify/index.js';
import { ASK_ALGORITHM, EXPLAIN_ALGORITHM } from './answer/index.js';
import { GRAPH_ALGORITHM, RED_ALGORITHM } from './aggregate/index.js';

/**
 * A dataset an accuracy bench measures: `npm run bench -- accuracy nezha|example|bugloc|dupes`
 * and `npm run bench -- patterns` (Loghub).
 */
export type Dataset = 'nezha' | 'example' | 'bugloc' | 'dupes' | 'loghub';

export interface VersionEntry {
  /** `rca@4`. */
  id: string;
  /** The day the id was introduced, YYYY-MM-DD. */
  date: string;
  /** What changed from the previous version, and the round-1 commits that changed results without a new id. */
  changed: string;
  /**
   * Effect per benched dataset, as measured when the change was made (figures from the commits
   * that made them); "not measured at the time" where nobody measured. Never an estimate.
   */
  effect: Partial<Record<Dataset, string>>;
  /** The commits that made this version. */
  commits: readonly string[];
  /**
   * A catch-up bump: the id moves for results that changed earlier under the old id, so the
   * fixtures' outputs may be the same as the previous id's.
   */
  catchUp?: true;
}

export interface AlgorithmEntry {
  /** The name before the `@`. */
  name: string;
  current: string;
  /** Where results keep the id that made them. */
  stored: string;
  /** The datasets whose bench measures this algorithm; each history entry's `effect` names them. */
  benched: readonly Dataset[];
  /** Oldest first; the last entry is `current`. */
  history: readonly VersionEntry[];
}

const NOT_MEASURED = 'not measured at the time';

export const ALGORITHMS: readonly AlgorithmEntry[] = [
  {
    name: 'patterns',
    current: PATTERNS_ALGORITHM,
    stored: 'log_pattern.algorithm (part of the pattern key; every read filters on it)',
    benched: ['loghub'],
    history: [
      {
        id: 'patterns@1',
        date: '2026-11-22',
        changed: 'log template miner: values masked, Drain-class tree, word-sibling rule, convergence merges',
        effect: { loghub: NOT_MEASURED },
        commits: ['a3989d9'],
      },
      {
        id: 'patterns@2',
        date: '2026-12-05',
        changed: 'lines of different log call sites (code.* attributes) kept apart',
        effect: { loghub: NOT_MEASURED },
        commits: ['4799a00'],
      },
      {
        id: 'patterns@3',
        date: '2026-12-07',
        changed:
          "general rules checked on the 8 Loghub systems and on TrainTicket call sites (npm run bench -- patterns trainticket): a token with more digits than letters is a value (`Z1234`); where two lines differ in words with brackets or punctuation between them (`Success][OrderId:` vs `Id][Order`, `List!` vs `Start!`), those are words, not values; a line whose words differ from a template only in the values of several keys joins it; a value written with spaces (`2023-01-30 17:38:46`) and a key's bracketed list or map (`stations=[a, b, c]`) are one field whatever their token count",
        effect: {
          loghub:
            'GA 0.965 → 0.966, PA 0.941 → 0.942; per system GA/PA: Android 0.932/0.780 → 0.935/0.790, Apache 1.000/1.000 → same, BGL 0.991/0.981 → 0.993/0.981, HDFS 1.000/0.943 → same (GA by id 0.998 → 1.000), Hadoop 0.994/0.908 → same, Linux 0.814/0.928 → same, Spark 1.000/0.998 → same, Zookeeper 0.989/0.992 → same. TrainTicket call sites (messages alone), GA: 2023-01-29 0.449 → 0.649, 2023-01-30 0.452 → 0.651; single-call-site share 0.801/0.799 → 0.729/0.729 (the joined fields merge call sites that print one format with other data). Whole logback lines (time, level, class, ids, message; --whole-lines), GA: 0.165 → 0.759 and 0.177 → 0.768. Worse: template accuracy FTA on BGL 0.867 → 0.850 and Hadoop 0.847 → 0.838 (mean FTA 0.878 → 0.877; FGA 0.956 → 0.958)',
        },
        commits: ['1d7f226', '791ffaa', 'f7bb457', '9e486ce'],
      },
    ],
  },
  {
    name: 'errors',
    current: ERRORS_ALGORITHM,
    stored: 'error_group.algorithm, and hashed into every fingerprint (a bump regroups every error)',
    benched: [],
    history: [
      {
        id: 'errors@1',
        date: '2026-11-22',
        changed: 'V8, Python, Java and Go stack parsers, in-app frames, fingerprints',
        effect: {},
        commits: ['a3989d9'],
      },
    ],
  },
  {
    name: 'rca',
    current: RCA_ALGORITHM,
    stored: 'investigation.result.algorithms.rca (investigate@3 on), and the root finding hint',
    benched: ['nezha'],
    history: [
      {
        id: 'rca@1',
        date: '2026-11-22',
        changed:
          'root-cause services from minute signals with stated tests; reference baselines and new WARN/ERROR patterns (74595b1)',
        effect: { nezha: 'AC@1 0.393, AC@5 0.750 (74595b1)' },
        commits: ['288ecc8', '74595b1'],
      },
      {
        id: 'rca@2',
        date: '2026-11-22',
        changed:
          'directional tests, co-logged partner tests for patterns, dispersion-calibrated latency, small-sample t for gauges, independent filtering',
        effect: { nezha: `${NOT_MEASURED} (AC@1 was 0.607 just before 4799a00, as its message states)` },
        commits: ['2bf9c5b'],
      },
      {
        id: 'rca@3',
        date: '2026-12-05',
        changed:
          "log flow tested, calibrated to the baseline's dispersion; a call site's patterns tested as one statement",
        effect: {
          nezha: 'AC@1 0.607 → 0.786, with patterns@2 and the replay sending logback lines as the OTel appender would',
        },
        commits: ['4799a00'],
      },
      {
        id: 'rca@4',
        date: '2026-12-07',
        changed:
          "catch-up: round 1 changed rca@3's results without a new id — 9a83d4e (a utilization tested on its headroom; a usage gauge not tested when the service reports the resource's utilization), a6ef954 (with no baseline, a caller failing on its calls to a failing callee is that callee's symptom), d27e48a and 29c1abc (rows in buckets of several minutes, bucketMinutes; the log flow's tests added for the first ranking's ten strongest services). Issue 17: id bump only, no output change from the restructuring (the rca@3 and rca@4 snapshots are the same)",
        effect: {
          nezha:
            'AC@1 0.786 → 0.893 (9a83d4e); a6ef954, d27e48a and 29c1abc not measured at the time; at the bump (2026-12-07) AC@1/3/5 0.893/1.000/1.000, the same before and after issue 17',
        },
        commits: ['9a83d4e', 'a6ef954', 'd27e48a', '29c1abc'],
        catchUp: true,
      },
      {
        id: 'rca@5',
        date: '2026-12-07',
        changed:
          "issue 18: latency root cause from the span trees — self time per service (a visit's time less its calls) and own time per call edge (client span less the server span that answered it; unanswered calls counted), read at query time from the raw spans (trace-id-hash sample past 40k spans a window), tested like latency (Mann–Whitney on DDSketch bins, BH); an edge's rise attributed to the end touching more risen edges; a callee's self time or edge time explains its callers' latency (symptom walk); hints say what carried the finding; an anomaly that ended ranks after one that did not (ended.ts: a service with a finding significantly back toward the baseline in the window's latest part, the earlier part tested against it, and nothing significant now, Bonferroni over its tests in the latest part against the baseline, ranks after the non-ended roots and the latest part's own roots; a service with too few samples in the latest part keeps its place; this replaces the recentFirst option, which had measured 0.556 on the morning)",
        effect: {
          nezha:
            'ORRERY_DATASETS=/work/shared/datasets npm run bench -- accuracy nezha, before (main 6cefcb0) → after span times: 2023-01-29 AC@1/3/5 0.714/0.821/0.821 → 0.714/0.821/0.821 (the same 20 hits); 2023-01-30-morning 0.667/0.778/0.778 → 0.778/0.889/0.889, network_delay AC@1 0.571 → 0.714. Then, with investigate@4 (main 169311f) → with the ended anomalies last (996075a): 2023-01-29 0.714/0.857/0.857 → 0.786/0.893/0.893 (return 0.545 → 0.727, exception 0.769 → 0.769, cpu_contention 1.000 → 1.000; 09:30 food and 09:42 verification-code now first, an earlier fault in their window ranked after them); 2023-01-30-morning 0.667/0.889/0.889 → 0.667/0.889/0.889 (the same 6 hits; network_delay 0.571, cpu_contention 1.000); all 37 faults 0.703 → 0.757',
        },
        commits: ['083d1ed', '20e5138', '0a6c699', '0a7f3d4', '996075a'],
      },
    ],
  },
  {
    name: 'investigate',
    current: INVESTIGATE_ALGORITHM,
    stored: 'investigation.algorithm and investigation.result.algorithm',
    benched: ['nezha', 'example'],
    history: [
      {
        id: 'investigate@1',
        date: '2026-11-22',
        changed:
          'from an alert, a ticket or a problem: tested signals, root service vs symptoms, the deploy before the onset, impact and the priority formula, related tickets, code locations and suspect commits',
        effect: { nezha: 'AC@1 0.393, AC@5 0.750 (with rca@1, 74595b1)', example: NOT_MEASURED },
        commits: ['74595b1', '2aef5d7'],
      },
      {
        id: 'investigate@2',
        date: '2026-12-05',
        changed:
          "a latency regression's impact counts the users whose requests failed or were slower than the baseline's p95 (raw spans)",
        effect: { nezha: NOT_MEASURED, example: NOT_MEASURED },
        commits: ['f35c0d4'],
      },
      {
        id: 'investigate@3',
        date: '2026-12-07',
        changed:
          "catch-up: round 1 changed investigate@2's results without a new id — f38c2e7 (a request slower than the baseline's median counts as hurt), 25885d6 and 2379c4a (a ticket's onset from its users' main failure and that failure's error group), f14157a, 205fd02 and 7c8fcd1 (the users hurt counted where the failed requests entered), d27e48a and 29c1abc (signals read in buckets, the log flow for the ten strongest candidates), 72d718e (a fan-out's code location is the function whose changed line calls inside a loop), a6ef954 (a suspect commit names its repository), 1d6a818 (a problem's investigation focuses on the problem's own service); and it runs rca@4. New: the result records the ids of the algorithms it used (`algorithms`). Issue 17: otherwise no output change from the restructuring",
        effect: {
          nezha:
            'AC@1 0.786 → 0.893 (9a83d4e, through rca); the other commits not measured at the time; at the bump (2026-12-07) AC@1/3/5 0.893/1.000/1.000, the same before and after issue 17',
          example: NOT_MEASURED,
        },
        commits: [
          'f38c2e7',
          '25885d6',
          '2379c4a',
          'f14157a',
          '205fd02',
          '7c8fcd1',
          '29c1abc',
          'd27e48a',
          '72d718e',
          'a6ef954',
          '1d6a818',
        ],
        catchUp: true,
      },
      {
        id: 'investigate@4',
        date: '2026-12-07',
        changed:
          "issue 18: an alert's look-back is its window when the alerted service has a history before it; with none (a service or a world younger than the look-back) the window starts at the onset, the latest significant rise of the service's error ratio or median latency inside the look-back, in 15 s buckets of the raw spans (6b4f36e, 86de557); it runs rca@5 (span-tree self time and edge own time; hints say what carried a finding; a service whose anomaly ended in the window's latest part ranks after those whose did not, in the ranking with the log flow, while the first ranking that picks whose flow is read leaves that step out); a load surge is told from a bad deploy: a `load_change` finding names the entry and its rate ratio, and the deploy is cleared when its version performed like the one before at the same load (per-version minutes, 15 s buckets of the raw spans around the deploy); a problem's investigation stays on its fault (roots within the problem's service and what its trouble is explained by; a summary about one service only); a baseline deploy (the first version telemetry showed) is never the likely change",
        effect: {
          nezha:
            'ORRERY_DATASETS=/work/shared/datasets npm run bench -- accuracy nezha, main 6cefcb0 (investigate@3, rca@4) → b27ac49: 2023-01-29 AC@1/3/5 0.714/0.821/0.821 → 0.786/0.857/0.857 (return 0.545 → 0.727, exception 0.769 → 0.769, cpu_contention 1.000); 2023-01-30-morning 0.667/0.778/0.778 → 0.778/0.889/0.889 (network_delay 0.571 → 0.714, cpu_contention 1.000); all 37 faults 0.703 → 0.784. Steps: the unconditional onset (6b4f36e) alone left AC@1 unchanged on main and, with rca@5, cost the morning 12:15 basic (0.778 → 0.667), hence the history condition (86de557)',
          example: NOT_MEASURED,
        },
        commits: ['6b4f36e', 'c37d9a1', '509b56d', 'ac6acc8', '5242bdf', 'a24a216', '996075a', '86de557'],
      },
      {
        id: 'investigate@5',
        date: '2026-12-07',
        changed:
          "self time and edge own time per minute come from the roll-up of closed minutes (store/span-time-rollup: every trace up to 20k spans a minute, a trace-id-hash sample past it) and only the minutes not rolled up from the raw spans (a 40k-span sample per read, as before); the rows stay per minute (in the other signals' buckets the morning day's 12:15 basic fell to second). Results differ from investigate@4 only where its 40k-span window sample was taken",
        effect: {
          nezha:
            "ORRERY_DATASETS=/work/shared/datasets npm run bench -- accuracy nezha, main 95d16b6 (investigate@4) → investigate@5: 2023-01-29 AC@1/3/5 0.786/0.857/0.857 → 0.786/0.857/0.857; 2023-01-30-morning 0.778/0.889/0.889 → 0.778/0.889/0.889; all 37 faults 0.784 → 0.784 (the same hits and misses). With the span-time rows in the signals' buckets instead: morning 0.667 (12:15 basic second), hence per minute",
          example: NOT_MEASURED,
        },
        commits: ['facc698', '3ab0d1f'],
      },
    ],
  },
  {
    name: 'sim-load',
    current: SIM_LOAD_ALGORITHM,
    stored: 'simulation.algorithm and simulation.result.algorithm',
    benched: [],
    history: [
      {
        id: 'sim-load@1',
        date: '2026-12-07',
        changed:
          "issue 19: load and capacity simulation. Calibrated from a window of whole traces (entry endpoints and their rates; visits, leaf calls and edge calls per request; self time per visit from span-times' walk; retries and their spacing; how far failures reach), the infra manifests (replicas, HPA, CPU limits and requests, env: *_POOL_SIZE, workers, *_TIMEOUT_MS matched to calls by name) and CPU gauges (a visit's CPU demand from busy cores; without a gauge, an assumed 0.875 of its self time, drawn from 0.5–1 in the intervals); each input measured or assumed; an env timeout the window's calls contradict is not used. An open network of M/G/c stations per service (CPU: replicas × workers; pool: replicas × pool size, M/M/c+D when it has a queue timeout), demands from the measured times less their calibrated queueing, retries after timeouts as a fixed point; latency per entry from its own sampled traces with the predicted extra waits; the first bottleneck and the knee by a scan to 20×; P10–P90 over bootstrap replicates of the window's blocks and traces and the assumed values' ranges",
        effect: {},
        commits: ['84ddfdb', '1018549'],
      },
      {
        id: 'sim-load@2',
        date: '2026-12-08',
        changed:
          "issue 21: a sampled request, once the window's mean waits are taken off it, takes no less than its own work (its visits' CPU demand and its leaf calls' pool hold, at most its measured time); before, relieving a saturated station (a scale-up) brought quick samples to 0 ms, and the remediate bench's capacity scale predicted p95 0 ms for POST /api/cart/items (measured 836 ms). Unchanged where no sample falls below its work (the 2×, --set and pool fixtures). On the new fixture, a world calibrated at 1.8× and relieved with 3 api replicas: /checkout p50 101 → 133 ms (the world run so: 113), p95 unchanged at 612 (run: 313; the tail the window's long waits leave is still over-predicted). The calibration window also begins no earlier than Orrery's first telemetry (calibrate's firstTelemetryMs, given by the workflow): the cart-badge rollback's predicted errors went from 7–12% to 0.0%, measured 0.0%",
        effect: {},
        commits: ['2fde36b', 'a3c9bf9'],
      },
    ],
  },
  {
    name: 'sim-failure',
    current: SIM_FAILURE_ALGORITHM,
    stored: 'simulation.algorithm and simulation.result.algorithm',
    benched: [],
    history: [
      {
        id: 'sim-failure@1',
        date: '2026-12-07',
        changed:
          "issue 19: dependency failure simulation (down, slow=<delay>, errors=<share>). On the load simulation's calibration, whose entry samples now keep each request's call tree (edge, start, duration, failed, the calls below) and whose edges count the calls their caller did not wait for: a Monte Carlo over each entry's sampled trees, calls into the failed service failing or slowed attempt by attempt under the caller's timeouts and retries (a failed answer retried only where retries after failed answers were seen, or the env sets attempts and none was seen; the calibration's edges now count retries after failed answers apart), calls above taking the added delay (parallel calls once) and timing out past their own timeouts, a failure reaching the request as often as failed calls on that edge failed their requests in the window (the endpoint's own requests with at least 5, else the edge's; never seen: assumed 1, drawn 0.5–1 in the intervals); calls not waited for neither delay nor fail it. Outcomes: failed at ≥ 50% errors, degraded at +5 points or p95 ≥ 2× and +250 ms; P10–P90 over bootstrap replicates of the samples and the propagation shares; the people (RED sketches, top from spans) and open tickets (routes named, or users and accounts named who used the endpoints) of the affected endpoints over 7 days",
        effect: {},
        commits: ['81a8a62', '7ea959b'],
      },
    ],
  },
  {
    name: 'propose',
    current: PROPOSE_ALGORITHM,
    stored: 'proposal.algorithm',
    benched: [],
    history: [
      {
        id: 'propose@1',
        date: '2026-12-07',
        changed:
          "issue 21: remediation proposals. Rules: the deploy the evidence blames (an investigation's change of its root service, a problem's suspected deploy, a deploy named by hand or by a regressed verification) is rolled back to the version before it when it is its service's newest deploy; when later deploys followed it, or there is no earlier version, the investigation's suspect commit is reverted as a pull request; a load rise with the focus service's busiest resource saturated or past its target utilization (its HPA's CPU target, else 70%) at the present load is met by ⌈replicas × utilization ÷ target⌉ replicas, checked with a second load simulation. Risk tiers from the kind and the blast radius (high: more than one service, a scale-down, a rollback or revert of a service not at fault; medium: a rollback or revert of the service at fault, a config value, a flag, one restart, a scale-up others call; low: a scale-up nothing calls); one approval for low and medium, two for high, never the proposer's; 4 h expiry by default",
        effect: {},
        commits: ['bf9381b'],
      },
    ],
  },
  {
    name: 'proposal-outcome',
    current: PROPOSAL_OUTCOME_ALGORITHM,
    stored: 'proposal.outcome (its `algorithm`), decided outcomes only',
    benched: [],
    history: [
      {
        id: 'proposal-outcome@1',
        date: '2026-12-07',
        changed:
          "issue 21, after the action: an executed rollback, scale or config change is judged on the changed service's minutes — the 30 before the action against those after it took effect (a rollback: its version's deploy; else when the executor finished) — by deploy-verify@1's tests both ways: error share (Fisher, deflated by the baseline's dispersion) and each minute's p95 (Mann–Whitney), alpha 0.01 split over the four tests and the 10-minute watch window's looks (Bonferroni). A rise of either: made-worse (the undo is proposed, not run; the problem reopens); else a fall of either: resolved (the problem closes); else, once the window is over, not-resolved (the problem reopens)",
        effect: {},
        commits: ['ec04965'],
      },
    ],
  },
  {
    name: 'triage',
    current: TRIAGE_ALGORITHM,
    stored: 'problem.algorithm',
    benched: [],
    history: [
      {
        id: 'triage@1',
        date: '2026-11-22',
        changed:
          'error groups, patterns, graph edges and tickets clustered into problems on shared-trace, quote, series and onset evidence, ranked by the priority score',
        effect: {},
        commits: ['9d3e943'],
      },
    ],
  },
  {
    name: 'similar-tickets',
    current: SIMILAR_TICKETS_ALGORITHM,
    stored: 'investigation.result.algorithms (investigate@3 on), and the related-tickets hint',
    benched: ['dupes'],
    history: [
      {
        id: 'similar-tickets@1',
        date: '2026-11-22',
        changed: 'related tickets by BM25F over code-aware tokens',
        effect: { dupes: NOT_MEASURED },
        commits: ['288ecc8'],
      },
    ],
  },
  {
    name: 'localize-text',
    current: LOCALIZE_ALGORITHM,
    stored: 'investigation.result.algorithms (investigate@3 on); a `text` location source',
    benched: ['bugloc'],
    history: [
      {
        id: 'localize-text@1',
        date: '2026-11-22',
        changed: 'ticket text to source files by BM25F, stack frames boosted',
        effect: { bugloc: NOT_MEASURED },
        commits: ['288ecc8'],
      },
    ],
  },
  {
    name: 'ticket-mentions',
    current: TICKET_MENTIONS_ALGORITHM,
    stored: 'ticket.mentions.algorithm',
    benched: [],
    history: [
      {
        id: 'ticket-mentions@1',
        date: '2026-11-22',
        changed: 'emails (as keyed hashes), users, accounts, routes, errors, traces named in ticket text',
        effect: {},
        commits: ['77671c6'],
      },
    ],
  },
  {
    name: 'redact',
    current: REDACT_ALGORITHM,
    stored: 'not stored: the placeholders in stored text show it',
    benched: [],
    history: [
      {
        id: 'redact@1',
        date: '2026-11-22',
        changed: 'emails, Luhn-checked cards, bearer/JWT/API-key shapes, URL passwords, secret-named attributes',
        effect: {},
        commits: ['a3989d9'],
      },
      {
        id: 'redact@2',
        date: '2026-12-07',
        changed:
          'span and event names and the lifted fields go through the text rules; tickets through the same redactor',
        effect: {},
        commits: ['d315715'],
      },
    ],
  },
  {
    name: 'sim-change',
    current: SIM_CHANGE_ALGORITHM,
    stored: 'the change simulation result (`algorithm` of the blast radius the API answers)',
    benched: [],
    history: [
      {
        id: 'sim-change@1',
        date: '2026-12-07',
        changed:
          "a change's blast radius: diff hunks → changed units at both revisions (symbols, route handlers, top-level variables), the static caller walk up to routes, the runtime view from sampled traces (code.* span attributes, internal span names, stack frames, log call sites) and the endpoint-to-endpoint calls across services",
        effect: {},
        commits: ['9426aa5'],
      },
    ],
  },
  {
    name: 'review',
    current: REVIEW_ALGORITHM,
    stored:
      'the review answered by POST /api/reviews, `orrery review` and the GitHub delivery (`algorithm`; SARIF: the tool version)',
    benched: [],
    history: [
      {
        id: 'review@1',
        date: '2026-12-07',
        changed:
          "a pull request's review as of a time: changed symbols with the endpoints that reach them (calls/min, p95), error groups with a frame in them, open problems and tickets, past suspect commits of their files; the tests that reach each (walked per symbol through sim-change@1's call graph, test files included); CODEOWNERS and recent authors; manifest settings (timeouts, attempts, pools, workers, replicas, HPA bounds, CPU and memory) against the measured p99, error ratio or traffic of what they govern; removed routes with traffic; changed loops over a collection that call another service's served route once per item; nested reads changed to keys no code in the repository writes; a tier from ten general rules, each reason citing evidence, and a rollout",
        effect: {},
        commits: ['c0a691a'],
      },
    ],
  },
  {
    name: 'explain',
    current: EXPLAIN_ALGORITHM,
    stored: 'the result GET /api/explain and `orrery explain` answer (`algorithm`); not stored',
    benched: [],
    history: [
      {
        id: 'explain@1',
        date: '2026-12-07',
        changed:
          "issue 22: a symbol, route, service or file:line resolved against the index, the parse's route tables and the sampled traces (unknown: the nearest names by edit distance; ambiguous: the candidates); its static callers and callees (sim-change's CodeGraph) marked runtime-confirmed when a trace shows the same call, runtime-only callers from the runtime graph (server and internal spans as nodes, in-process calls, HTTP edges from a client span to the server span answering it); routes reaching it (static walk up to route registrations, runtime walk up to endpoints); downstream services through HTTP edges from it and what it calls in-process, matched to the callee's route handler; log statements in its lines with the trace lines matching their template; error groups with an in-app frame in it; calls/min and p95 of its endpoints; CODEOWNERS owners and the newest commits of its files; open problems holding its error groups (or of its service, for a service or route). Every line cites a file:line or an API query",
        effect: {},
        commits: ['e72b43e'],
      },
    ],
  },
  {
    name: 'ask',
    current: ASK_ALGORITHM,
    stored: 'the result POST /api/ask and `orrery ask` answer (`algorithm`); not stored',
    benched: [],
    history: [
      {
        id: 'ask@1',
        date: '2026-12-07',
        changed:
          "issue 22: a question read as one of five shapes (how does A reach B, what calls F, where is T logged, who owns E, where is X handled); its phrases resolved to entities by exact spelling (a service, a route, an identifier-like function name, a template) else BM25F (the code-aware tokenizer) over services, endpoints, routes, functions, log templates, files, docs, commit messages and tickets; a path as the fewest hops through the sampled traces' in-process calls and HTTP edges (more-traced edges first; static calls when no trace joins them), each step citing its handler's file:line and a trace; callers and routes reaching a function as explain@1's; a template's call site and the endpoints whose traces logged it; the owners (CODEOWNERS) and recent authors of the code behind an endpoint; \"where\" questions ranked by localize-text@1 over the repository's files with the question's words as the title. Measured with `npm run bench -- ask`",
        effect: {},
        commits: ['e72b43e'],
      },
    ],
  },
  {
    name: 'deploy-verify',
    current: DEPLOY_VERIFY_ALGORITHM,
    stored: 'deploy.verification (its `algorithm`), decided verdicts only',
    benched: [],
    history: [
      {
        id: 'deploy-verify@1',
        date: '2026-12-07',
        changed:
          "issue 20: a deploy's verdict (healthy, regressed, inconclusive) from sequential tests of the deployed version against the previous one over the 30 minutes before: error share per endpoint (Fisher), error groups and WARN/ERROR patterns per request and calls per request to each callee (conditional Poisson), unanswered calls (Fisher), each with the baseline's minute-to-minute dispersion and serial inflation; latency per endpoint, self time and calls' own time as each minute's p50/p95 robust z against the baseline's minutes (Student t). Alpha 0.01 split over six families, the watch window's looks (Bonferroni) and each family's tests; a rise is called when it passes at two looks running and the load could be checked; controls: a rise already under way in the baseline's last 5 minutes is not the deploy's, a load change past 1.5× or a callee's concurrent deploy that changed its own service makes it inconclusive; healthy needs 100 requests each side by the window's end. Measured: 0.8% false alarms on 1000 generated no-change worlds (test/helpers/verify-worlds), 2 of 600 (0.33%) pseudo-deploys on Nezha's fault-free minutes",
        effect: {},
        commits: ['c9fc566'],
      },
      {
        id: 'deploy-verify@2',
        date: '2026-12-07',
        changed:
          "issue 20: calls per request to each callee split by the calling version when the service-graph edges name it (edge_minute.version, migration 20: the caller span's service.version), each version's calls over its own requests, so the deploy's own minute counts for the new version as its requests do; by time, the deploy's minute left out, as before when they do not (rows from before the migration). A regression in calls per request is then called a minute sooner (test/deploy-verify.test.ts: 4 generated worlds); the generated no-change worlds' false-alarm test (400 pseudo-deploys, at most 1%) still passes",
        effect: {},
        commits: ['c5e1911'],
      },
    ],
  },
  {
    name: 'code-extract',
    current: CODE_EXTRACTION_ALGORITHM,
    stored: 'file.extractor (a different value re-parses the file)',
    benched: [],
    history: [
      {
        id: 'code-extract@1',
        date: '2026-11-22',
        changed: 'tree-sitter symbols, log call sites and routes',
        effect: {},
        commits: ['77671c6'],
      },
      {
        id: 'code-extract@2',
        date: '2026-12-07',
        changed:
          'C#, Rust, Ruby, PHP and C++ parsed (symbols, log call sites, routes); gRPC service implementations per file in every language',
        effect: {},
        commits: ['3634f6a'],
      },
    ],
  },
  {
    name: 'grpc-link',
    current: GRPC_LINK_ALGORITHM,
    stored: 'proto_rpc.handler_* (relinked at every sync)',
    benched: [],
    history: [
      {
        id: 'grpc-link@1',
        date: '2026-12-07',
        changed:
          'rpcs of .proto files linked to handlers: methods of the type a generated base, trait or Register call names, or the function addService registers under the rpc',
        effect: {},
        commits: ['c1e1e13'],
      },
    ],
  },
];

/**
 * Format ids: the encodings of stored sketches and rows, not results an algorithm decides.
 * Listed so the inventory is complete; they have no changelog and no snapshot.
 */
export const FORMATS: readonly string[] = [
  DDSKETCH_ALGORITHM,
  HLL_ALGORITHM,
  RED_ALGORITHM,
  GRAPH_ALGORITHM,
  COMMIT_RANGE_ALGORITHM,
];

/** The registry entry of an algorithm by name (`rca`), or undefined. */
export function algorithmEntry(name: string): AlgorithmEntry | undefined {
  return ALGORITHMS.find((a) => a.name === name);
}
