// The optional LLM narrative of an investigation: one call to an OpenAI-compatible chat
// completions endpoint (hosted or local), and the citation check. It never fails an
// investigation: every problem becomes a gap, and the deterministic report stands.
import { checkNarrative, narrativeMessages } from '../analysis/index.js';
import type { Config } from '../config/index.js';
import type { InvestigationResult } from '../model/index.js';

export interface LlmSettings {
  /** The API base, e.g. http://127.0.0.1:11434/v1 or https://api.openai.com/v1; /chat/completions is appended. */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  maxTokens: number;
}

/** Room for 3–6 sentences, and for the thinking some local models write first. */
export const LLM_MAX_TOKENS = 1024;
/** The largest answer read; a chat completion with a 4000-character narrative is far smaller. */
const MAX_RESPONSE_CHARS = 1_000_000;

/** The narrative's settings, or null when no URL is configured (the narrative is off). */
export function llmSettings(config: Config): LlmSettings | null {
  if (!config.llmUrl) return null;
  return {
    url: config.llmUrl,
    model: config.llmModel,
    ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}),
    timeoutMs: config.llmTimeoutMs,
    maxTokens: LLM_MAX_TOKENS,
  };
}

export interface NarrateOptions {
  fetch?: typeof fetch;
}

export interface NarrateResult {
  narrative: InvestigationResult['narrative'];
  /** Why there is no narrative, for the result's gaps; null when there is one. */
  gap: string | null;
}

/** The base URL with /chat/completions appended to its path; a query string (?api-version=…) is kept. */
function endpointOf(base: string): string {
  try {
    const u = new URL(base);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/chat/completions`;
    return u.toString();
  } catch {
    return `${base.replace(/\/+$/, '')}/chat/completions`;
  }
}

/** The endpoint as shown in messages: no user, password or query string, which may hold secrets. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the LLM endpoint';
  }
}

/** Whatever in the URL may be a secret: the password, and a query string such as ?api-key=… */
function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out = [u.password, u.search.length > 1 ? u.search.slice(1) : ''];
    for (const x of [...out]) {
      try {
        out.push(decodeURIComponent(x));
      } catch {
        // not percent-encoded
      }
    }
    return out.filter((x) => x.length > 0);
  } catch {
    return [];
  }
}

function errorMessage(body: string): string {
  try {
    const v = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof v.error === 'string' ? v.error : (v.error?.message ?? v.message);
    if (typeof m === 'string' && m.trim()) return m.trim();
  } catch {
    // not JSON: the start of the body is the message
  }
  return body.trim();
}

function reasonOf(err: unknown, url: string, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `no answer from ${url} within ${timeoutMs / 1000} s (ORRERY_LLM_TIMEOUT_MS)`;
  const code = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return `cannot reach ${url} (${code})`;
}

export type ChatOutcome =
  | { ok: true; text: string; model: string; finishReason: string | null; scrub: (msg: string) => string }
  | { ok: false; why: string; scrub: (msg: string) => string };

/**
 * One chat completion: the text of choices[0] (a reasoning model's <think> part removed), or
 * why there is none. Never throws: an HTTP error, a timeout, an unreachable host or an answer
 * that is not a chat completion come back as `{ ok: false, why }`. The API key is sent only in
 * the Authorization header; `scrub` removes it (and the URL's secrets) from any message.
 */
export async function chatCompletion(
  s: LlmSettings,
  messages: ReadonlyArray<{ role: string; content: string }>,
  opts: NarrateOptions = {},
): Promise<ChatOutcome> {
  const endpoint = endpointOf(s.url);
  const url = shown(endpoint);
  const secrets = [s.apiKey, ...urlSecrets(endpoint)].filter((x): x is string => !!x);
  const scrub = (msg: string) => {
    let out = msg.split(endpoint).join(url);
    for (const secret of secrets) out = out.split(secret).join('***');
    return out.length > 500 ? `${out.slice(0, 499)}…` : out;
  };
  const fail = (why: string): ChatOutcome => ({ ok: false, why, scrub });
  try {
    const doFetch = opts.fetch ?? fetch;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (s.apiKey) headers.authorization = `Bearer ${s.apiKey}`;
    let res: Response;
    let body: string;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: s.model, messages, temperature: 0, max_tokens: s.maxTokens }),
        signal: AbortSignal.timeout(s.timeoutMs),
      });
      body = await res.text();
    } catch (err) {
      return fail(reasonOf(err, url, s.timeoutMs));
    }
    if (!res.ok) {
      const detail = errorMessage(body.slice(0, 2000)).slice(0, 200);
      return fail(`${url} answered ${res.status}${detail ? `: ${detail}` : ''}`);
    }
    if (body.length > MAX_RESPONSE_CHARS)
      return fail(`${url} answered with ${body.length} characters, more than a chat completion holds`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return fail(`${url} answered with something that is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
    }
    const answer = json as {
      model?: unknown;
      choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[];
    };
    const choice = Array.isArray(answer?.choices) ? answer.choices[0] : undefined;
    const content = choice?.message?.content;
    if (typeof choice?.message?.refusal === 'string' && choice.message.refusal)
      return fail(`the model refused: ${choice.message.refusal}`);
    if (typeof content !== 'string')
      return fail(`${url} answered without choices[0].message.content: not an OpenAI chat completion`);
    // Reasoning models (DeepSeek-R1, Qwen3 through Ollama) may put their thinking first.
    const text = content.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
    const model = typeof answer.model === 'string' && answer.model ? answer.model : s.model;
    const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : null;
    return { ok: true, text, model, finishReason, scrub };
  } catch (err) {
    return fail(`unexpected error: ${(err as Error)?.message ?? String(err)}`);
  }
}

/**
 * Asks the configured model for a narrative and keeps it only when it passes checkNarrative.
 * Never throws: every failure, and a rejected narrative, come back as `{ narrative: null, gap }`.
 */
export async function narrate(
  s: LlmSettings,
  result: InvestigationResult,
  opts: NarrateOptions = {},
): Promise<NarrateResult> {
  if (result.findings.length === 0)
    return { narrative: null, gap: 'LLM narrative skipped: there are no findings to narrate' };
  const out = await chatCompletion(s, narrativeMessages(result), opts);
  if (!out.ok) return { narrative: null, gap: out.scrub(`LLM narrative skipped: ${out.why}`) };
  const check = checkNarrative(out.text, result);
  if (!check.ok) {
    const cut = out.finishReason === 'length' ? ` (the answer was cut at max_tokens ${s.maxTokens})` : '';
    const shownProblems =
      check.problems.slice(0, 6).join('; ') +
      (check.problems.length > 6 ? `; and ${check.problems.length - 6} more` : '');
    return { narrative: null, gap: out.scrub(`LLM narrative rejected: ${shownProblems}${cut}`) };
  }
  return { narrative: { text: out.text, model: out.model, citations: check.citations }, gap: null };
}
