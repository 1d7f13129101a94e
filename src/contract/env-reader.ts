/** Reads typed settings from an environment, naming the variable in every error. */
export interface EnvReader {
  /** A non-blank string; throws when missing. */
  required(name: string): string;
  /** A number passing `ok`, or `fallback` when unset or empty; throws with `what` otherwise. */
  number(name: string, fallback: number, ok: (n: number) => boolean, what: string): number;
  /** Like {@link EnvReader.number} but `undefined` when unset or empty. */
  optionalNumber(name: string, ok: (n: number) => boolean, what: string): number | undefined;
}

/**
 * Wraps an environment (Lambda's `process.env`, or a test's object) in typed readers, so both
 * Lambda entry points report misconfiguration the same way.
 *
 * @example
 * const env = envReader(process.env);
 * const bucket = env.required('BUCKET_NAME');
 * const days = env.number('RETRAIN_HISTORY_DAYS', 1, (n) => n > 0, 'a number of days > 0');
 */
export function envReader(env: Readonly<Record<string, string | undefined>>): EnvReader {
  const optionalNumber = (name: string, ok: (n: number) => boolean, what: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!ok(n)) throw new Error(`environment variable ${name} must be ${what}, got "${v}"`);
    return n;
  };
  return {
    required(name) {
      const v = env[name];
      if (v === undefined || v.trim() === '') throw new Error(`environment variable ${name} is required`);
      return v;
    },
    number: (name, fallback, ok, what) => optionalNumber(name, ok, what) ?? fallback,
    optionalNumber,
  };
}
