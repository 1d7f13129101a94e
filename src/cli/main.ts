import type { CommandModule } from './command';
import { UsageError } from './command';

type Loader = () => Promise<{ default: CommandModule }>;

/**
 * Sub-commands, loaded lazily so `beatwatch score` does not pay for the CDK or emulator code.
 * Each module lives in `src/cli/commands/` and exports a {@link CommandModule} as default.
 */
const COMMANDS: Record<string, Loader> = {
  demo: () => import('./commands/demo'),
  eval: () => import('./commands/eval'),
  bench: () => import('./commands/bench'),
  score: () => import('./commands/score'),
  replay: () => import('./commands/replay'),
  retrain: () => import('./commands/retrain'),
  redrive: () => import('./commands/redrive'),
  model: () => import('./commands/model'),
};

/** Exit codes: a script can tell "you called it wrong" from "it ran and failed". */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The global flag that turns one-line errors into full stack traces. */
const DEBUG_FLAG = '--debug';

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** Help of a command group: its usage line, then each member with its summary. */
async function groupHelp(title: string, members: Record<string, Loader>, footer: string): Promise<string> {
  const names = Object.keys(members);
  const summaries = await Promise.all(names.map(async (n) => (await members[n]()).default.summary));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    title,
    '',
    'commands:',
    ...names.map((n, i) => `  ${n.padEnd(width)}${summaries[i]}`),
    '',
    'global options:',
    '  --help, -h   usage of beatwatch or of a command',
    `  ${DEBUG_FLAG}      print the stack trace of an error (errors are one line otherwise)`,
    '',
    footer,
  ].join('\n');
}

/** An error message on one line: newlines inside it would break "one line per error" for scripts. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Programming errors (a bug in beatwatch, not a bad input): their class name is part of the
 * message, and the line says how to get the trace worth reporting.
 */
const INTERNAL_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError']);

/** Formats an error of command `prefix` as the single line printed on stderr. */
function errorLine(prefix: string, err: unknown): string {
  if (err instanceof UsageError) return `${prefix}: ${oneLine(err.message)} (see \`${prefix} --help\`)`;
  if (!(err instanceof Error)) return `${prefix}: ${oneLine(String(err))}`;
  const message = oneLine(err.message) || err.name;
  if (INTERNAL_ERRORS.has(err.name))
    return `${prefix}: internal error: ${err.name}: ${message} (run with ${DEBUG_FLAG} for the stack trace)`;
  return `${prefix}: ${message}`;
}

/**
 * Entry point of the `beatwatch` command. Resolves to the exit code: 0 success, 1 failure,
 * 2 usage error. Every error is one line on stderr, prefixed with the command
 * (`beatwatch eval mitdb: ...`); `--debug` anywhere on the line prints the stack trace instead.
 *
 * @example
 * process.exitCode = await main(['eval', 'mitdb', '--record', '100', '--json']);
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes(DEBUG_FLAG) || process.env.BEATWATCH_DEBUG === '1';
  // `--debug` is global: take it out before a command's strict flag parser sees it.
  const args = argv.filter((a) => a !== DEBUG_FLAG);
  let prefix = 'beatwatch';
  try {
    const [name, ...rest] = args;
    if (name === undefined || name === 'help' || isHelp(name)) {
      const text = await groupHelp(
        'usage: beatwatch <command> [options]',
        COMMANDS,
        "Run `beatwatch <command> --help` for a command's options; with --json a command prints one JSON object on stdout.",
      );
      if (name === undefined) {
        process.stderr.write(`${text}\n`);
        return EXIT.usage;
      }
      process.stdout.write(`${text}\n`);
      return EXIT.ok;
    }
    const load = COMMANDS[name];
    if (!load) throw new UsageError(`unknown command "${name}": one of ${Object.keys(COMMANDS).join(', ')}`);
    prefix = `beatwatch ${name}`;
    let command = (await load()).default;
    let commandArgs = rest;
    // Walk down sub-commands (`eval mitdb`) so help and error prefixes name the one that runs.
    while (command.subcommands) {
      const [sub, ...more] = commandArgs;
      if (sub === undefined || sub.startsWith('-')) {
        if (sub !== undefined && isHelp(sub)) break;
        throw new UsageError(`missing sub-command: one of ${Object.keys(command.subcommands).join(', ')}`);
      }
      const loadSub = command.subcommands[sub];
      if (!loadSub) throw new UsageError(`unknown sub-command "${sub}": one of ${Object.keys(command.subcommands).join(', ')}`);
      prefix = `${prefix} ${sub}`;
      command = (await loadSub()).default;
      commandArgs = more;
    }
    if (commandArgs.some(isHelp)) {
      process.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(commandArgs);
  } catch (err) {
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${prefix}: ${err.stack}\n`);
    else process.stderr.write(`${errorLine(prefix, err)}\n`);
    return err instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
}
