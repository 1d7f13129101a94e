import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A token that is a negative number (`-1`, `-0.5`, `-.5`, `-1e3`, `-Infinity`). After a flag that
 * takes a value it is that value: node's parser would call it an ambiguous option instead.
 */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity$)/;

/**
 * Joins `--flag -1` into `--flag=-1` for flags that take a value, so negative numbers parse and
 * the command's own range check can say what is wrong with them. Stops at `--`.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Levenshtein distance, for "did you mean" on a mistyped flag (names are short, so O(n·m) is nothing). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Restates node's parse errors (several sentences, some of them advice about positionals that
 * does not apply here) as one short line naming the flag.
 */
function usageErrorFrom(err: unknown, options: Options): UsageError {
  const { code, message } = err as NodeJS.ErrnoException;
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = flag?.replace(/^-+/, '') ?? '';
      const near = Object.keys(options)
        .map((o) => ({ o, d: editDistance(name, o) }))
        .filter(({ d }) => d <= (name.length <= 3 ? 1 : 2))
        .sort((a, b) => a.d - b.d)[0];
      return new UsageError(`unknown option ${flag ?? message}${near ? ` (did you mean --${near.o}?)` : ''}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (flag && /does not take an argument/.test(message)) return new UsageError(`${flag} takes no value`);
      if (flag && /ambiguous/.test(message))
        return new UsageError(`${flag} needs a value (write ${flag}=VALUE for a value starting with "-")`);
      if (flag) return new UsageError(`${flag} needs a value`);
      break;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1];
      if (arg !== undefined) return new UsageError(`unexpected argument "${arg}"`);
      break;
    }
  }
  return new UsageError(message.replace(/\s*\n\s*/g, ' '));
}

/**
 * Parses a command's flags strictly: unknown flags and stray positionals are usage errors, and
 * so is an empty value (`--only=`, `--records ""`): an empty string for a flag that takes a value
 * is almost always a shell variable that was not set, and reading it as "not given" (the default,
 * often "everything") would do something the caller did not ask for. A negative number after a
 * flag (`--speed -1`) is that flag's value.
 *
 * @throws UsageError with one line naming the flag.
 * @example
 * const { values } = parseFlags(argv, { json: { type: 'boolean' }, seed: { type: 'string' } });
 */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  const parse = () => {
    try {
      return parseArgs({
        args: joinNegativeValues(argv, options),
        options: { help: { type: 'boolean' }, ...options },
        strict: true,
        allowPositionals: false,
      });
    } catch (err) {
      throw usageErrorFrom(err, { help: { type: 'boolean' }, ...options });
    }
  };
  const parsed = parse();
  const blank = (v: unknown) => typeof v === 'string' && v.trim() === '';
  for (const [name, value] of Object.entries(parsed.values as Record<string, unknown>)) {
    if (blank(value) || (Array.isArray(value) && value.some(blank))) throw new UsageError(`--${name} needs a value, got an empty string`);
  }
  return parsed;
}

/**
 * Formats a number as people write it in a message: integers as they are (digits grouped by
 * thousands from 10,000 on), other numbers rounded to 4 significant digits (`1 / 24` prints as
 * `0.04167`, not `0.041666666666666664`).
 *
 * @example
 * formatNumber(1 / 24); // '0.04167'
 * formatNumber(1e6);    // '1,000,000'
 * formatNumber(-5);     // '-5'
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return Math.abs(x) >= 10_000 ? x.toLocaleString('en-US') : String(x);
  return String(Number(x.toPrecision(4)));
}

/** Largest bound still worth printing; above it a range reads as "no upper limit". */
const UNBOUNDED = 1e15;

/** The range `[min, max]` in words: "a positive integer", "a number from 0.001 to 60"... */
function describeRange(kind: 'integer' | 'number', min: number, max: number): string {
  const a = kind === 'integer' ? 'an integer' : 'a number';
  const lowOpen = min <= -UNBOUNDED;
  const highOpen = max >= UNBOUNDED;
  // Number.MIN_VALUE as a lower bound means "greater than 0".
  const aboveZero = min === Number.MIN_VALUE;
  if (lowOpen && highOpen) return kind === 'integer' ? 'an integer' : 'a finite number';
  if (highOpen) {
    if (aboveZero || (kind === 'integer' && min === 1)) return `a positive ${kind}`;
    if (min === 0) return `a non-negative ${kind}`;
    return `${a} of at least ${formatNumber(min)}`;
  }
  if (lowOpen) return `${a} of at most ${formatNumber(max)}`;
  if (aboveZero) return `${a} above 0 and at most ${formatNumber(max)}`;
  return `${a} from ${formatNumber(min)} to ${formatNumber(max)}`;
}

/** The value as the user typed it: bare when it reads as a number, quoted otherwise. */
function shown(value: string): string {
  return value.trim() !== '' && !Number.isNaN(Number(value)) ? value : JSON.stringify(value);
}

/**
 * Parses an integer flag, with its name and allowed range in the error. Returns `fallback` when absent.
 *
 * @throws UsageError such as `--seconds must be an integer from 0 to 10,000,000, got -5`.
 */
export function intFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be ${describeRange('integer', min, max)}, got ${shown(value)}`);
  return n;
}

/**
 * Parses a finite number flag, with its name and allowed range in the error. Returns `fallback` when absent.
 *
 * @throws UsageError such as `--speed must be a number from 0.001 to 1,000,000, got -1`.
 */
export function numberFlag(value: string | undefined, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be ${describeRange('number', min, max)}, got ${shown(value)}`);
  return n;
}

/** Parses a flag that must be one of `choices`. */
export function choiceFlag<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Writes one JSON object on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Progress and diagnostics go to stderr so stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
