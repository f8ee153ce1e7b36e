// What a review becomes on GitHub, as plain data: the check run (its conclusion, title,
// summary and annotations in batches of at most 50, GitHub's limit per request) and the one
// summary comment, found again on the next push by a hidden marker so it is edited, never
// posted twice. The summary and the comment are cut to GitHub's 65,535 characters.
import type { Review } from '../../model/index.js';
import { reviewMarkdown } from './render.js';

export const GITHUB_MAX_ANNOTATIONS = 50;
export const GITHUB_MAX_TEXT = 65_535;
export const CHECK_RUN_NAME = 'Orrery review';

/** The hidden marker the summary comment starts with, one per repository's pull request. */
export function commentMarker(): string {
  return '<!-- orrery-review -->';
}

export interface GithubAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  annotations: GithubAnnotation[];
}

export interface CheckRunPlan {
  name: string;
  head_sha: string;
  conclusion: 'success' | 'neutral' | 'action_required';
  /** The first request carries the first batch; each later batch is a PATCH of the same run. */
  outputs: CheckRunOutput[];
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The check run for a review: annotations on its changed lines with production evidence, 50 a request. */
export function checkRunPlan(r: Review, headSha: string): CheckRunPlan {
  const annotations: GithubAnnotation[] = r.annotations.map((a) => ({
    path: a.path,
    start_line: a.startLine,
    end_line: Math.max(a.startLine, a.endLine),
    annotation_level: a.level,
    title: cut(a.title, 255),
    // GitHub keeps 64 KB of an annotation's message.
    message: cut(a.message, 60_000),
  }));
  const title = `${r.tier} risk: ${r.reasons.length} reason(s), ${r.untestedHot.length} untested hot symbol(s)`;
  const summary = reviewMarkdown(r, { maxChars: GITHUB_MAX_TEXT });
  const outputs: CheckRunOutput[] = [];
  for (let i = 0; i === 0 || i < annotations.length; i += GITHUB_MAX_ANNOTATIONS)
    outputs.push({ title, summary, annotations: annotations.slice(i, i + GITHUB_MAX_ANNOTATIONS) });
  return {
    name: CHECK_RUN_NAME,
    head_sha: headSha,
    conclusion: r.tier === 'high' ? 'action_required' : r.tier === 'medium' ? 'neutral' : 'success',
    outputs,
  };
}

/** The summary comment's body: the marker, then the review cut to GitHub's limit. */
export function commentBody(r: Review): string {
  return reviewMarkdown(r, { maxChars: GITHUB_MAX_TEXT, marker: commentMarker() });
}
