/**
 * Command-line options of the scripts in this folder, as `node:util`'s `parseArgs` reads them
 * (strict), plus what a person expects of a command: `--help` prints the usage and exits 0, and
 * an unknown or malformed option prints one line saying which and the usage, and exits 2 (the
 * `beatwatch` CLI's usage-error code), instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Where the outcome goes: the real process by default, a recorder in tests. */
export interface ScriptIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => never;
}

const PROCESS_IO: ScriptIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Parses `args` (default: the process's) against `options`; on `--help` or a usage error
 * prints and exits through `io`.
 *
 * @example
 * const values = scriptArgs({ json: { type: 'boolean' } }, 'npx tsx scripts/x.ts [--json]');
 * if (values.json) print();
 */
export function scriptArgs<O extends Options>(
  options: O,
  usage: string,
  args: string[] = process.argv.slice(2),
  io: ScriptIo = PROCESS_IO,
): ReturnType<typeof parseArgs<{ options: O; strict: true; args: string[] }>>['values'] {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${usage}\n`);
    return io.exit(0);
  }
  try {
    return parseArgs({ options, strict: true, args }).values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\nusage: ${usage}\n`);
    return io.exit(2);
  }
}
