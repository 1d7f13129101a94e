/**
 * What every `beatwatch` sub-command module exports. Commands print their result on stdout
 * (one JSON object with `--json`) and everything else (progress, logs) on stderr, so
 * `beatwatch <cmd> --json | jq` always works.
 */
export interface CommandModule {
  /** One line shown by `beatwatch help`. */
  readonly summary: string;
  /** Full usage text shown by `beatwatch <cmd> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** An error in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
