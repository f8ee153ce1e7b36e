// `orrery doctor`'s findings, as printed and as `--json` writes them.

/** ok: nothing to do; problem: something to fix; unchecked: the check itself could not run; skipped: does not apply here. */
export type DoctorStatus = 'ok' | 'problem' | 'unchecked' | 'skipped';

export interface DoctorCheck {
  /** Which check: node, data-dir, database, schema, port-api, port-otlp-http, port-otlp-grpc, git, grammars, clock-database, clock-telemetry, llm, webhook-secrets, disk, memory. */
  check: string;
  /** Stable for what was found, e.g. DATA_DIR_UNWRITABLE; `<CHECK>_OK` when fine. Scripts match on it. */
  code: string;
  status: DoctorStatus;
  /** What the check found, in one sentence. */
  found: string;
  /** How to fix it (a command or a setting); null when there is nothing to do. */
  fix: string | null;
  /** `--fix` changed something for this check (and the check was run again after). */
  fixed?: boolean;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** 0 all good, 1 a problem, 2 a check could not run (and no problem found). */
  exitCode: 0 | 1 | 2;
}
