import type { CommandModule } from './command';
import { UsageError } from './command';

/**
 * Sub-commands, loaded lazily so `beatwatch score` does not pay for the CDK or emulator code.
 * Each module lives in `src/cli/commands/` and exports a {@link CommandModule} as default.
 */
const COMMANDS: Record<string, () => Promise<{ default: CommandModule }>> = {
  demo: () => import('./commands/demo'),
  eval: () => import('./commands/eval'),
  bench: () => import('./commands/bench'),
  score: () => import('./commands/score'),
  replay: () => import('./commands/replay'),
  retrain: () => import('./commands/retrain'),
};

function help(): string {
  return [
    'usage: beatwatch <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((name) => `  ${name}`),
    '',
    "Run `beatwatch <command> --help` for a command's options.",
  ].join('\n');
}

/**
 * Entry point of the `beatwatch` command. Resolves to the exit code: 0 success,
 * 1 failure, 2 usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`beatwatch: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  const command = (await load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`beatwatch ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`beatwatch ${name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
