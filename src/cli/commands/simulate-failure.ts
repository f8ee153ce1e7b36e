// `orrery simulate failure`: what each entry endpoint would do if one service failed (down, slow,
// or failing a share of its requests), predicted on the server from a window of its traces, with
// the users, accounts and open tickets behind the endpoints it reaches; Markdown or JSON.
import { type Command, Option } from 'commander';
import { parseFailureMode, parseWindow } from '../../analysis/index.js';
import type { Simulation } from '../../model/index.js';
import type { GlobalOptions } from '../client.js';
import { timeFlag } from '../time-flag.js';
import { type Format, formatOption, print, usage } from './simulate-load.js';

export function registerSimulateFailure(sim: Command, client: (cmd: Command) => GlobalOptions): void {
  sim
    .command('failure')
    .description(
      'which entry endpoints fail, degrade or carry on if one service fails: error rate and p95 per endpoint, with why, who used them in the last 7 days and the open tickets naming them',
    )
    .requiredOption('--service <name>', 'the service that fails, as its traces name it (service.name)')
    .requiredOption(
      '--mode <mode>',
      'down (calls refused), slow=<delay> (every answer later: slow=2s, slow=500ms) or errors=<share> (errors=30%)',
    )
    .option('--window <length>', 'calibrate on this much telemetry before --until (30m, 2h; 1 min to 24 h)', '30m')
    .option('--until <time>', 'the calibration window ends here (ISO, epoch ms, or an age like 1h; default now)')
    .addOption(formatOption())
    .addOption(new Option('--json', 'the same as --format json').conflicts('markdown'))
    .addOption(new Option('--markdown', 'the same as --format md'))
    .addHelpText(
      'after',
      `
How it works: each entry endpoint's sampled request trees from the window are replayed with
the service failed. A call into it fails (down, errors) or answers later (slow), attempt by
attempt under its caller's timeouts and retries (from the traces, or the manifests' env such as
INVENTORY_RESERVE_TIMEOUT_MS); callers further up time out where the added delay passes their
own timeouts; a failure fails the request as often as such failures did in the window (never
seen: assumed to, with an interval). An endpoint is failed at ≥ 50% errors, degraded at +5
points of errors or a p95 at least doubled and 250 ms higher, else unaffected.

Examples:
  orrery simulate failure --service payments --mode down
  orrery simulate failure --service catalog --mode slow=2s --window 2h
  orrery simulate failure --service cart --mode errors=30% --json

A service that is not in the calibration window, or a mode that is none of these, exits 2.`,
    )
    .action(
      async (
        f: {
          service: string;
          mode: string;
          window: string;
          until?: string;
          format: Format;
          json?: boolean;
          markdown?: boolean;
        },
        cmd: Command,
      ) => {
        try {
          parseFailureMode(f.mode);
        } catch (err) {
          usage('--mode', err);
        }
        try {
          parseWindow(f.window);
        } catch (err) {
          usage('--window', err);
        }
        const body = {
          kind: 'failure',
          service: f.service,
          mode: f.mode,
          window: f.window,
          ...(f.until ? { until: timeFlag('until', f.until) } : {}),
        };
        const res = await client(cmd).api.request<{ simulation: Simulation }>('POST', 'api/simulations', body);
        print(res.simulation, f.json ? 'json' : f.markdown ? 'md' : f.format);
      },
    );
}
