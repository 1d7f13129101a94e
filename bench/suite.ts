/** One benchmark suite: measures, prints a table on stderr, returns figures for `--json`. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(options: { quick: boolean }): Promise<Record<string, unknown>>;
}
