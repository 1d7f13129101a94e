/**
 * What every `beatwatch` sub-command module exports. Commands print their result on stdout
 * (one JSON object with `--json`) and everything else (progress, logs) on stderr, so
 * `beatwatch <cmd> --json | jq` always works.
 */
export interface CommandModule {
  /** One line shown by `beatwatch --help` (and by the parent's help for a sub-command). */
  readonly summary: string;
  /** Full usage text shown by `beatwatch <cmd> --help`. */
  readonly usage: string;
  /**
   * Sub-commands by name (`eval ecg5000`, `eval mitdb`), loaded lazily. When present, `main`
   * dispatches to them itself, so `beatwatch eval mitdb --help` prints the sub-command's usage
   * and its errors are prefixed `beatwatch eval mitdb:`.
   */
  readonly subcommands?: Readonly<Record<string, () => Promise<{ default: CommandModule }>>>;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** An error in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
