// `orrery explain <target>` and `orrery ask "<question>"`: answers about the code and the
// runtime from the server (explain@1, ask@1), printed as Markdown or, with --json, as JSON.
// Every line of an answer cites a file:line or the API query that shows its rows.
import type { Command } from 'commander';
import type { AskResult, ExplainResult } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { timeFlag } from '../time-flag.js';

type Client = (cmd: Command) => GlobalOptions;

interface Flags {
  since?: string;
  until?: string;
  json?: boolean;
}

function windowParams(f: Flags): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.since !== undefined) out.since = timeFlag('since', f.since);
  if (f.until !== undefined) out.until = timeFlag('until', f.until);
  return out;
}

export function registerAnswer(program: Command, client: Client): void {
  program
    .command('explain <target>')
    .description(
      'what a symbol, route, service or file:line is and where it lives: callers and callees (static and runtime-confirmed from traces), routes that reach it, downstream services matched to their handlers, log statements and error groups, calls/min and p95, owners and recent commits, open problems — each line citing a file:line or a query',
    )
    .option(
      '--since <time>',
      'start of the telemetry window (ISO, epoch ms, or an age like 6h; default 24h before --until)',
    )
    .option('--until <time>', 'end of the telemetry window (default now)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Targets:
  summarizeCart                      a function or method (Class.method)
  "GET /carts/:user"                 a route (its service first when several serve it: "cart GET /carts/:user")
  cart                               a service
  services/cart/src/server.js:42     a file and line (the function holding it)

An unknown target exits 2 with the nearest names; a name that fits several things exits 2
listing them, each written so that explain takes it.`,
    )
    .action(async (target: string, f: Flags, cmd: Command) => {
      if (target.trim() === '')
        throw new CliError('give a target: a symbol, a route, a service or file:line', EXIT.usage);
      const api = client(cmd).api;
      const params = new URLSearchParams({ target, ...windowParams(f) });
      if (!f.json) {
        params.set('format', 'markdown');
        const res = await api.send('GET', `api/explain?${params}`, { headers: { accept: 'text/markdown' } });
        process.stdout.write(await res.text());
        return;
      }
      const res = await api.request<{ explain: ExplainResult }>('GET', `api/explain?${params}`);
      process.stdout.write(`${JSON.stringify(res.explain, null, 2)}\n`);
    });

  program
    .command('ask <question>')
    .description(
      'answers a question about the system from the code index and the traces: "how does checkout reach payments", "what calls summarizeCart", "where is \'payment declined\' logged", "who owns the code behind GET /carts/:user", "where is the discount handled"; with an LLM configured (ORRERY_LLM_URL) the model writes the prose, and prose that cites nothing it was given is dropped',
    )
    .option('--since <time>', 'start of the telemetry window (default 24h before --until)')
    .option('--until <time>', 'end of the telemetry window (default now)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  orrery ask "how does web reach payments"
  orrery ask "what calls summarizeCart"
  orrery ask "where is \\"retrying inventory reservation\\" logged"
  orrery ask "who owns the code behind GET /carts/:user" --json`,
    )
    .action(async (question: string, f: Flags, cmd: Command) => {
      if (question.trim() === '') throw new CliError('the question is empty', EXIT.usage);
      const api = client(cmd).api;
      const body = JSON.stringify({ question, ...windowParams(f) });
      if (!f.json) {
        const res = await api.send('POST', 'api/ask?format=markdown', {
          body,
          headers: { 'content-type': 'application/json', accept: 'text/markdown' },
        });
        process.stdout.write(await res.text());
        return;
      }
      const res = await api.request<{ ask: AskResult }>('POST', 'api/ask', JSON.parse(body));
      process.stdout.write(`${JSON.stringify(res.ask, null, 2)}\n`);
    });
}
