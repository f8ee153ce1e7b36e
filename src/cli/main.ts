#!/usr/bin/env node
// The `orrery` command. `up` runs the server; every other command is a client of its API
// (--server, token from ORRERY_TOKEN), except the offline ones that say so.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { DataDirLockedError, InvalidTokenNameError, TokenNameTakenError } from '../store/index.js';
import { ApiClient, CliError, EXIT, type GlobalOptions } from './client.js';
import { registerErrors, registerPatterns, registerServices } from './commands/analysis.js';
import { registerAnswer } from './commands/answer.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDeploy } from './commands/deploy.js';
import { registerInfra } from './commands/infra.js';
import { registerInvestigate } from './commands/investigate.js';
import { registerMcp } from './commands/mcp.js';
import { registerReview } from './commands/review.js';
import { registerSimulate } from './commands/simulate.js';
import { registerTriage } from './commands/triage.js';
import { registerQuery } from './commands/query.js';
import { registerRepo } from './commands/repo.js';
import { registerStatus } from './commands/status.js';
import { registerTickets } from './commands/tickets.js';
import { registerSentry } from './commands/sentry.js';
import { registerToken } from './commands/token.js';
import { registerAudit } from './commands/audit.js';
import { registerProposals } from './commands/proposals.js';
import { registerUp } from './commands/up.js';
import { version } from './version.js';

function serverOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals() as { server?: string };
  return opts.server || process.env.ORRERY_SERVER || 'http://127.0.0.1:8470';
}

function clientFor(cmd: Command): GlobalOptions {
  return { api: new ApiClient({ server: serverOf(cmd), token: process.env.ORRERY_TOKEN || undefined }) };
}

export function buildProgram(): Command {
  const program = new Command('orrery')
    // Only -V is a program-wide option: `orrery deploy record --version 1.4.0` must reach the
    // subcommand. A bare `orrery --version` is answered in main() before parsing.
    .version(version(), '-V', 'output the version number (also: orrery --version)')
    .description('Orrery: production engineering on one world model of code, deploys, telemetry and tickets.')
    .option('--server <url>', 'the Orrery server to talk to (env ORRERY_SERVER)', undefined)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Start here:
  orrery demo                        build the example world and leave it running (npm start)
  orrery up                          serve the API and the OTLP receivers (HTTP and gRPC)
  orrery doctor [--fix]              check this machine's setup (exit 0 good, 1 problem, 2 unchecked)
  orrery status                      what the store holds
  orrery query spans --since 15m     recent spans
  orrery mcp                         MCP tools on stdio for a coding agent (docs/mcp.md)

Commands other than \`up\` talk to the server at --server (default http://127.0.0.1:8470)
and send ORRERY_TOKEN as a Bearer token when it is set. Docs: docs/cli.md, docs/configuration.md.`,
    );
  // Before the subcommands exist, so that they inherit it and usage errors exit 2 everywhere.
  program.exitOverride();
  registerUp(program);
  registerDemo(program);
  registerDoctor(program);
  registerStatus(program, clientFor);
  registerQuery(program, clientFor);
  registerToken(program, clientFor);
  registerSentry(program, clientFor);
  registerAudit(program, clientFor);
  registerRepo(program, clientFor);
  registerDeploy(program, clientFor);
  registerTickets(program, clientFor);
  registerInfra(program, clientFor);
  registerPatterns(program, clientFor);
  registerErrors(program, clientFor);
  registerServices(program, clientFor);
  registerInvestigate(program, clientFor);
  registerTriage(program, clientFor);
  registerSimulate(program, clientFor);
  registerReview(program, clientFor);
  registerProposals(program, clientFor);
  registerAnswer(program, clientFor);
  registerMcp(program, serverOf);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 3 && argv[2] === '--version') {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`orrery: ${err.message}\n`);
      return err.exitCode;
    }
    if (
      err instanceof ConfigError ||
      err instanceof DataDirLockedError ||
      err instanceof InvalidTokenNameError ||
      err instanceof TokenNameTakenError
    ) {
      process.stderr.write(`orrery: ${err.message}\n`);
      return EXIT.usage;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(
        `orrery: ${e.message}: another process holds that port; pick another with --port / --otlp-port / --otlp-grpc-port\n`,
      );
      return EXIT.usage;
    }
    process.stderr.write(`orrery: ${e.message ?? String(err)}\n`);
    return EXIT.failure;
  }
}

/** True when this file is the program being run, also through npm's bin symlink. */
function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv).then((code) => {
    // `up` keeps running: only exit for commands that finished.
    if (code !== EXIT.ok || !process.argv.slice(2).includes('up')) process.exitCode = code;
  });
}
