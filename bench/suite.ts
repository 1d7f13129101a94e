/** A numeric setting a suite takes as a flag of `beatwatch bench` (`--<name> N`). */
export interface BenchSetting {
  readonly description: string;
  readonly default: number;
  /** Used instead of `default` with `--quick`. */
  readonly quick?: number;
  readonly min: number;
  readonly max: number;
}

/** One benchmark suite: measures, prints a table on stderr, returns figures for `--json`. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  /** Sizes the suite takes as flags (each an integer), with their defaults; none for most suites. */
  readonly settings?: Readonly<Record<string, BenchSetting>>;
  run(options: { quick: boolean; settings: Readonly<Record<string, number>> }): Promise<Record<string, unknown>>;
}
