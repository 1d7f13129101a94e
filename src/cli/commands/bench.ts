import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { parseFlags, printJson, progress } from '../args';

const usage = [
  'usage: beatwatch bench [--only NAME[,NAME]] [--quick] [--json]',
  '',
  'Runs the benchmarks on one thread of this machine and reports figures as ratios against',
  'the peers measured in the same run. --quick shortens every measurement (for a smoke run).',
].join('\n');

/** `beatwatch bench`: runs the benchmark suites of `bench/`. */
const bench: CommandModule = {
  summary: 'benchmarks against brain.js and TensorFlow.js',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { only: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' } });
    // Loaded here, not at the top: the suites pull in the CDK app (infra/) and the peers, which
    // no other command needs (and the layering check forbids loading them with the CLI).
    const { SUITES } = await import('../../../bench/suites');
    const names = values.only ? values.only.split(',') : Object.keys(SUITES);
    for (const name of names) if (!SUITES[name]) throw new UsageError(`unknown suite "${name}" (have: ${Object.keys(SUITES).join(', ')})`);
    const results: Record<string, unknown> = { node: process.version, arch: process.arch };
    for (const name of names) {
      const suite = (await SUITES[name]()).default;
      progress(`== ${suite.name}: ${suite.description}`);
      results[name] = await suite.run({ quick: Boolean(values.quick) });
    }
    if (values.json) printJson(results);
    return 0;
  },
};
export default bench;
