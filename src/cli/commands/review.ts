// `orrery review <base>..<head> [--repo R] [--as-of T] [--format md|json|sarif] [--fail-on tier]`:
// a pull request's review with production context (review@1) from the server, printed as
// Markdown, JSON or SARIF 2.1.0. With --fail-on, the exit code says whether the tier reached it,
// so a CI job can stop on a high-risk change.
import type { Command } from 'commander';
import { reviewMarkdown, reviewSarif } from '../../analysis/index.js';
import { REVIEW_TIERS, type Review, type ReviewTier } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { timeFlag } from '../time-flag.js';

const REVISION = /^(?!-)[\w./~^@{}:+-]{1,256}$/;
const FORMATS = ['md', 'json', 'sarif'] as const;

interface Flags {
  repo?: string;
  asOf?: string;
  format: string;
  failOn?: string;
}

export function registerReview(program: Command, client: (cmd: Command) => GlobalOptions): void {
  program
    .command('review <range>')
    .description(
      "a pull request's review with production context: the changed symbols with their calls per minute, p95, error groups, open problems and tickets and past suspicion; the blast radius; the tests that reach them and the hot ones none reaches; owners to ask; configuration against what production measures; a risk tier whose reasons cite evidence, and a rollout",
    )
    .option('--repo <name>', 'the indexed repository (needed when several are indexed)')
    .option('--as-of <time>', 'read production only up to this time (ISO, epoch ms, or an age like 2h; default now)')
    .option('--format <format>', 'md (Markdown), json or sarif (SARIF 2.1.0)', 'md')
    .option('--fail-on <tier>', 'exit 1 when the risk tier is this or higher (medium or high)')
    .addHelpText(
      'after',
      `
Examples:
  orrery review main..feature/cart-timeouts
  orrery review HEAD~1..HEAD --format sarif > review.sarif
  orrery review cart/v1.3.0..cart/v1.3.1 --as-of 2026-11-24T00:00:00Z --fail-on high

Exit codes: 0 the review was made (and its tier is below --fail-on), 1 its tier reached
--fail-on (or the server failed), 2 a usage error, 3 the server is unreachable, 4 auth.`,
    )
    .action(async (range: string, f: Flags, cmd: Command) => {
      const parts = range.split('..');
      if (parts.length !== 2 || range.includes('...') || !parts.every((p) => REVISION.test(p)))
        throw new CliError(`"${range}" is not a range: write <base>..<head>, e.g. main..feature`, EXIT.usage);
      if (!(FORMATS as readonly string[]).includes(f.format))
        throw new CliError(`--format must be md, json or sarif, not "${f.format}"`, EXIT.usage);
      if (f.failOn !== undefined && (f.failOn === 'low' || !(REVIEW_TIERS as readonly string[]).includes(f.failOn)))
        throw new CliError(`--fail-on must be medium or high, not "${f.failOn}"`, EXIT.usage);
      const body: Record<string, unknown> = { range };
      if (f.repo !== undefined) body.repository = f.repo;
      if (f.asOf !== undefined) body.asOf = timeFlag('as-of', f.asOf);
      const { review } = await client(cmd).api.request<{ review: Review }>('POST', 'api/reviews', body);
      const out =
        f.format === 'json'
          ? JSON.stringify(review, null, 2)
          : f.format === 'sarif'
            ? JSON.stringify(reviewSarif(review), null, 2)
            : reviewMarkdown(review).trimEnd();
      process.stdout.write(`${out}\n`);
      const rank = (t: ReviewTier) => REVIEW_TIERS.indexOf(t);
      if (f.failOn !== undefined && rank(review.tier) >= rank(f.failOn as ReviewTier))
        throw new CliError(`the review's risk tier is ${review.tier} (--fail-on ${f.failOn})`, EXIT.failure);
    });
}
