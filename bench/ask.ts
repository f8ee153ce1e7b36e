// `npm run bench -- ask [--part example|ecf|all] [--duration 90s] [--seed N] [--max N] [--keep]`:
// orrery ask, deterministic (no LLM), scored against truth it did not make.
//  example: the demo's world (the shop, its history indexed, steady traffic, no scenario) runs;
//    at least 30 questions are made from the world's own raw traces (spans with their parents,
//    kinds, routes and code.* attributes, and the log lines in them: bench/lib/ask-truth.ts),
//    never from Orrery's index, and asked through POST /api/ask. Printed: path accuracy (the
//    answer's endpoint hops equal the traces' chain), entity recall (the truth's endpoints and
//    services the answer names), and the share of citations that resolve (a file:line that exists
//    in the world's repository, a query the API answers with rows). Targets 0.9, 0.9, 100%.
//  ecf: the ECF source from ../shared/datasets (as `accuracy bugloc` reads it) and one question
//    per bug report, "where is <title> handled?"; Hit@5 of the files the answer names against the
//    gold files. Target: not below the bug-localization bench's Hit@5 (0.758).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAsk, emptyAnswerWorld } from '../src/analysis/index.js';
import { memoryOutput, parseDuration, runDemo } from '../src/demo/index.js';
import type { AskResult, Evidence, LogRow, SpanRow } from '../src/model/index.js';
import { loadBugloc } from './lib/accuracy-bugloc.js';
import { type AskQuestion, type TruthLog, type TruthSpan, askQuestions } from './lib/ask-truth.js';
import { table } from './lib/format.js';
import { parseOrExit } from './lib/options.js';
import { type RankedCase, hitAt } from './lib/ranking.js';
import { freePort } from './lib/server-process.js';

const TARGETS = { path: 0.9, recall: 0.9, citations: 1, ecfHit5: 0.758 };

const USAGE = `usage: npm run bench -- ask [options]

Scores orrery ask (ask@1, no LLM) on the example world and on the ECF bug reports.

Options:
  --part example|ecf|all   which part (default all)
  --duration D             the example world's traffic phase (default 90s)
  --seed N                 the world's seed (default 7)
  --max N                  questions at most (default 60; at least 30 are needed)
  --data DIR               the ECF dataset folder (default: ../shared/datasets/bug-localization-ecf)
  --keep                   keep the world's folder
  --help                   this text`;

interface Options {
  part: 'example' | 'ecf' | 'all';
  durationS: number;
  seed: number;
  max: number;
  data?: string;
  keep: boolean;
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      part: { type: 'string', default: 'all' },
      duration: { type: 'string', default: '90s' },
      seed: { type: 'string', default: '7' },
      max: { type: 'string', default: '60' },
      data: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  if (!['example', 'ecf', 'all'].includes(values.part!)) throw new Error(`--part must be example, ecf or all`);
  return {
    part: values.part as Options['part'],
    durationS: parseDuration(values.duration!),
    seed: Number(values.seed),
    max: Number(values.max),
    data: values.data,
    keep: values.keep!,
  };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** A citation resolves when its file:line exists in the repository, or its query answers 200 with rows. */
async function resolves(api: string, repoDir: string, e: Evidence, cache: Map<string, boolean>): Promise<boolean> {
  if (e.kind === 'code' && e.ref && /:\d+$/.test(e.ref)) {
    const path = e.ref.slice(0, e.ref.lastIndexOf(':'));
    const line = Number(e.ref.slice(e.ref.lastIndexOf(':') + 1));
    const file = join(repoDir, path);
    return existsSync(file) && line >= 1 && line <= readFileSync(file, 'utf8').split('\n').length;
  }
  if (!e.query) return false;
  const hit = cache.get(e.query);
  if (hit !== undefined) return hit;
  const { status, body } = await getJson(`${api}${e.query}`);
  const arrays = body && typeof body === 'object' ? Object.values(body).filter(Array.isArray) : [];
  const ok = status === 200 && (arrays.length === 0 || arrays.some((a) => a.length > 0));
  cache.set(e.query, ok);
  return ok;
}

function answered(r: AskResult): Set<string> {
  const out = new Set<string>();
  for (const e of r.entities) {
    if (e.kind === 'endpoint' || e.kind === 'route') out.add(`endpoint ${e.name}`);
    if (e.kind === 'service') out.add(`service ${e.name}`);
    if (e.service) out.add(`service ${e.service}`);
  }
  for (const s of r.path ?? []) {
    if (s.kind === 'endpoint' || s.kind === 'handler') out.add(`endpoint ${s.service} ${s.name}`);
    out.add(`service ${s.service}`);
  }
  return out;
}

function hops(r: AskResult): string[] {
  return (r.path ?? [])
    .filter((s) => s.kind === 'endpoint' || s.kind === 'handler')
    .map((s) => `${s.service} ${s.name}`);
}

async function examplePart(o: Options): Promise<boolean> {
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-bench-ask-'));
  const out = memoryOutput();
  process.stderr.write(`example world: ${o.durationS} s of traffic, seed ${o.seed} (in ${dir})\n`);
  const world = await runDemo({
    scenarios: [],
    durationS: o.durationS,
    seed: o.seed,
    dir,
    port: await freePort(),
    otlpPort: await freePort(),
    users: 400,
    accounts: 90,
    baseRps: 20,
    // A host shared by several sessions starts Orrery through tsx slowly.
    startTimeoutMs: 300_000,
    out,
  });
  try {
    const api = world.api;
    const services = (
      (await getJson(`${api}/api/services?since=24h`)).body as { services: Array<{ service: string }> }
    ).services.map((s) => s.service);
    const spans: TruthSpan[] = [];
    const logs: TruthLog[] = [];
    for (const svc of services) {
      const s = (await getJson(`${api}/api/spans?service=${encodeURIComponent(svc)}&since=24h&limit=10000`)).body as {
        spans: SpanRow[];
      };
      for (const x of s.spans) {
        const a = x.attributes as Record<string, unknown>;
        const method = (a['http.request.method'] ?? a['http.method'] ?? null) as string | null;
        const fn = (a['code.function.name'] ?? a['code.function'] ?? null) as string | null;
        spans.push({
          traceId: x.traceId,
          spanId: x.spanId,
          parentSpanId: x.parentSpanId,
          kind: x.kind,
          service: x.service,
          name: x.name,
          route: x.httpRoute,
          method,
          codeFunction: fn,
        });
      }
      const l = (await getJson(`${api}/api/logs?service=${encodeURIComponent(svc)}&since=24h&limit=10000`)).body as {
        logs: LogRow[];
      };
      for (const x of l.logs) logs.push({ traceId: x.traceId, spanId: x.spanId, service: x.service, body: x.body });
    }
    const questions = askQuestions(spans, logs, { max: o.max });
    process.stdout.write(
      `example world: ${spans.length} spans and ${logs.length} log lines read raw; ${questions.length} questions\n`,
    );
    const cache = new Map<string, boolean>();
    let pathOk = 0;
    let pathN = 0;
    let recallSum = 0;
    let cited = 0;
    let resolved = 0;
    const perKind = new Map<string, { n: number; recall: number }>();
    const misses: string[] = [];
    const t0 = performance.now();
    for (const q of questions) {
      const res = await fetch(`${api}/api/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: q.question }),
      });
      const body = (await res.json()) as { ask?: AskResult; message?: string };
      if (!body.ask) throw new Error(`POST /api/ask ${res.status}: ${body.message ?? ''}`);
      const r = body.ask;
      const hopsGot = hops(r);
      const matched = q.paths?.find((p) => JSON.stringify(p) === JSON.stringify(hopsGot)) ?? null;
      // A path question's entities are those of the chain the answer matched (else the most frequent one).
      const truth = matched
        ? [
            ...matched.map((h) => `endpoint ${h}`),
            ...new Set(matched.map((h) => `service ${h.slice(0, h.indexOf(' '))}`)),
          ]
        : q.entities;
      const got = answered(r);
      const recall = truth.filter((e) => got.has(e)).length / truth.length;
      recallSum += recall;
      const k = perKind.get(q.kind) ?? { n: 0, recall: 0 };
      k.n++;
      k.recall += recall;
      perKind.set(q.kind, k);
      if (q.path) {
        pathN++;
        if (matched) pathOk++;
        else
          misses.push(
            `${q.question}\n    want ${q.path.join(' → ')}\n    got  ${hops(r).join(' → ') || '(no path)'}${r.gaps.length ? ` [${r.gaps.join('; ')}]` : ''}`,
          );
      }
      if (recall < 1)
        misses.push(
          `${q.question}: recall ${recall.toFixed(2)}; missing ${q.entities.filter((e) => !got.has(e)).join(', ')}`,
        );
      for (const l of r.lines)
        for (const e of l.evidence) {
          cited++;
          if (await resolves(api, world.repoDir, e, cache)) resolved++;
          else misses.push(`${q.question}: citation does not resolve: ${e.ref ?? ''} ${e.query ?? ''}`);
        }
    }
    const seconds = (performance.now() - t0) / 1000;
    const pathAcc = pathN ? pathOk / pathN : 0;
    const recall = questions.length ? recallSum / questions.length : 0;
    const share = cited ? resolved / cited : 0;
    const rows = [...perKind].map(([kind, v]) => [kind, String(v.n), (v.recall / v.n).toFixed(3)]);
    process.stdout.write(
      `${table(['kind', 'questions', 'entity recall'], rows, new Set([1, 2]))}\n\n` +
        `path accuracy      ${pathAcc.toFixed(3)} (${pathOk}/${pathN})   target ≥ ${TARGETS.path}\n` +
        `entity recall      ${recall.toFixed(3)} over ${questions.length} questions   target ≥ ${TARGETS.recall}\n` +
        `citations resolve  ${(share * 100).toFixed(1)}% (${resolved}/${cited})   target 100%\n` +
        `answer time        ${(seconds / Math.max(1, questions.length)).toFixed(2)} s per question (busy shared host)\n`,
    );
    if (misses.length)
      process.stdout.write(
        `\nmisses:\n${misses
          .slice(0, 40)
          .map((m) => `  ${m}`)
          .join('\n')}\n`,
      );
    return questions.length >= 30 && pathAcc >= TARGETS.path && recall >= TARGETS.recall && share >= TARGETS.citations;
  } finally {
    await world.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function ecfPart(o: Options): Promise<boolean> {
  const corpus = await loadBugloc({ data: o.data });
  const now = new Date().toISOString();
  const world = emptyAnswerWorld({ since: now, until: now });
  const cases: RankedCase[] = [];
  for (const r of corpus.reports) {
    const a = buildAsk({ question: `where is ${r.title.trim()} handled?`, world, code: corpus.index });
    cases.push({ case: r.id, ranked: a.files, truth: r.truth });
  }
  const hit5 = hitAt(cases, 5);
  process.stdout.write(
    `\nECF (${corpus.docs.length} source files, ${cases.length} reports, ${corpus.skipped} skipped): "where is <title> handled?"\n` +
      `Hit@1 ${hitAt(cases, 1).toFixed(3)}  Hit@5 ${hit5.toFixed(3)}  Hit@10 ${hitAt(cases, 10).toFixed(3)}   target Hit@5 ≥ ${TARGETS.ecfHit5} (accuracy bugloc, title and body)\n`,
  );
  return hit5 >= TARGETS.ecfHit5;
}

export async function main(args: string[]): Promise<number> {
  const o = parseOrExit(args, parse, USAGE);
  if (typeof o === 'number') return o;
  let ok = true;
  if (o.part !== 'ecf') ok = (await examplePart(o)) && ok;
  if (o.part !== 'example') ok = (await ecfPart(o)) && ok;
  return ok ? 0 : 1;
}

export type { AskQuestion };
