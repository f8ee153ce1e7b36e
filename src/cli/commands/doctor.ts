// `orrery doctor [--json] [--fix]`: checks the local setup (runs here, needs no server).
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { CliError } from '../client.js';
import { renderDoctor, runDoctor } from '../doctor/index.js';

interface DoctorFlags {
  json?: boolean;
  fix?: boolean;
  dataDir?: string;
  host?: string;
  port?: string;
  otlpHost?: string;
  otlpPort?: string;
  otlpGrpcPort?: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check what this machine needs to run Orrery: Node, the store, the ports, git and grammars, clocks, the LLM, disk and memory',
    )
    .option('--json', 'print the checks as JSON')
    .option(
      '--fix',
      'apply the safe fixes: create the data directory, apply migrations (running it again changes nothing)',
    )
    .option('--data-dir <dir>', 'embedded store directory (env ORRERY_DATA_DIR)')
    .option('--host <host>', 'the API address to check (env ORRERY_HOST)')
    .option('--port <port>', 'the API port to check (env ORRERY_PORT)')
    .option('--otlp-host <host>', 'the OTLP address to check (env ORRERY_OTLP_HOST)')
    .option('--otlp-port <port>', 'the OTLP/HTTP port to check (env ORRERY_OTLP_PORT)')
    .option('--otlp-grpc-port <port>', 'the OTLP/gRPC port to check, or "off" (env ORRERY_OTLP_GRPC_PORT)')
    .addHelpText(
      'after',
      `
Each check prints a stable code (e.g. DATA_DIR_UNWRITABLE, PORT_OTLP_GRPC_TAKEN), what it
found and the fix; docs/doctor.md lists them all. It reads the same settings as \`orrery up\`.

Exit codes: 0 all good, 1 a problem, 2 a check could not run (and no problem was found).

Examples:
  orrery doctor
  orrery doctor --fix
  ORRERY_DATABASE_URL=postgres://orrery@db:5432/orrery orrery doctor --json`,
    )
    .action(async (flags: DoctorFlags) => {
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir,
        host: flags.host,
        port: flags.port,
        otlpHost: flags.otlpHost,
        otlpPort: flags.otlpPort,
        otlpGrpcPort: flags.otlpGrpcPort,
      });
      const report = await runDoctor(config, { fix: flags.fix ?? false });
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
      if (report.exitCode === 0) return;
      const problems = report.checks.filter((c) => c.status === 'problem').length;
      throw new CliError(
        report.exitCode === 1
          ? `doctor found ${problems} problem${problems === 1 ? '' : 's'}`
          : 'doctor could not run every check',
        report.exitCode,
      );
    });
}
