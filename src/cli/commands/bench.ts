import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { intFlag, parseFlags, printJson, progress } from '../args';

const usage = [
  'usage: beatwatch bench [--only NAME[,NAME]] [--quick] [--json] [suite flags]',
  '',
  'Runs the benchmarks on one thread of this machine and reports figures as ratios against',
  'the peers measured in the same run. --quick shortens every measurement (for a smoke run).',
  '',
  'Suite flags (integers) are taken by the suites named with --only:',
  '  load: --devices N (2000), --seconds S (20), --record-seconds S (5), --cap N (200),',
  '        --cap-devices N (300): N devices through the local stack, then --cap-devices on one',
  '        shard whose detector keeps at most --cap (MAX_DEVICES). Not run without --only load.',
].join('\n');

/** The value of `--only` before the flags are parsed (a suite's own flags depend on it). */
function onlyValue(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') return argv[i + 1];
    if (argv[i].startsWith('--only=')) return argv[i].slice('--only='.length);
  }
  return undefined;
}

/** `beatwatch bench`: runs the benchmark suites of `bench/`. */
const bench: CommandModule = {
  summary: 'benchmarks against brain.js and TensorFlow.js',
  usage,
  async run(argv) {
    // Loaded here, not at the top: the suites pull in the CDK app (infra/) and the peers, which
    // no other command needs (and the layering check forbids loading them with the CLI).
    const { SUITES, ON_REQUEST } = await import('../../../bench/suites');
    const only = onlyValue(argv);
    const names = only ? only.split(',') : Object.keys(SUITES).filter((n) => !ON_REQUEST.has(n));
    for (const name of names) if (!SUITES[name]) throw new UsageError(`unknown suite "${name}" (have: ${Object.keys(SUITES).join(', ')})`);
    const suites = await Promise.all(names.map(async (name) => (await SUITES[name]()).default));
    const settingFlags = Object.fromEntries(
      suites.flatMap((s) => Object.keys(s.settings ?? {}).map((k) => [k, { type: 'string' as const }])),
    );
    const { values } = parseFlags(argv, {
      only: { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      ...settingFlags,
    });
    const quick = Boolean(values.quick);
    const given = values as Record<string, string | boolean | undefined>;
    const results: Record<string, unknown> = { node: process.version, arch: process.arch };
    for (const suite of suites) {
      const settings = Object.fromEntries(
        Object.entries(suite.settings ?? {}).map(([k, s]) => {
          const value = given[k];
          return [k, intFlag(typeof value === 'string' ? value : undefined, k, quick ? (s.quick ?? s.default) : s.default, s.min, s.max)];
        }),
      );
      progress(`== ${suite.name}: ${suite.description}`);
      results[suite.name] = await suite.run({ quick, settings });
    }
    if (values.json) printJson(results);
    return 0;
  },
};
export default bench;
