import { ArtifactError } from './artifact-error';

/**
 * Small typed readers for untrusted JSON: each returns the field's value with its type, or throws
 * an {@link ArtifactError} naming the field's path and what was found instead.
 */

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

/** Throws the standard "expected X, got Y" error for `path`. */
export function fieldError(path: string, expected: string, value: unknown): never {
  throw new ArtifactError(`${path}: expected ${expected}, got ${describe(value)}`, path);
}

/** A plain object (not null, not an array). */
export function objectField(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = parent[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fieldError(`${path}.${key}`, 'an object', v);
  return v as Record<string, unknown>;
}

/** A string, non-empty unless `allowEmpty`. */
export function stringField(parent: Record<string, unknown>, key: string, path: string, allowEmpty = false): string {
  const v = parent[key];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) fieldError(`${path}.${key}`, allowEmpty ? 'a string' : 'a non-empty string', v);
  return v;
}

/** A finite number within [min, max]. */
export function numberField(parent: Record<string, unknown>, key: string, path: string, min = -Infinity, max = Infinity): number {
  const v = parent[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fieldError(`${path}.${key}`, `a finite number${min > -Infinity || max < Infinity ? ` in [${min}, ${max}]` : ''}`, v);
  }
  return v;
}

/** An integer within [min, max]. */
export function integerField(parent: Record<string, unknown>, key: string, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = parent[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fieldError(`${path}.${key}`, `an integer in [${min}, ${max}]`, v);
  return v;
}

/** One of the listed string values. */
export function choiceField<T extends string>(parent: Record<string, unknown>, key: string, path: string, choices: readonly T[]): T {
  const v = parent[key];
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
    fieldError(`${path}.${key}`, `one of ${choices.map((c) => `"${c}"`).join(', ')}`, v);
  return v as T;
}

/** An array of finite numbers. */
export function numberArrayField(parent: Record<string, unknown>, key: string, path: string): number[] {
  const v = parent[key];
  if (!Array.isArray(v)) fieldError(`${path}.${key}`, 'an array of numbers', v);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fieldError(`${path}.${key}[${i}]`, 'a finite number', x);
  });
  return v as number[];
}

/** An object whose values are all finite numbers (e.g. metrics, per-device thresholds). */
export function numberRecordField(parent: Record<string, unknown>, key: string, path: string): Record<string, number> {
  const o = objectField(parent, key, path);
  for (const [k, x] of Object.entries(o))
    if (typeof x !== 'number' || !Number.isFinite(x)) fieldError(`${path}.${key}.${k}`, 'a finite number', x);
  return o as Record<string, number>;
}

/** An object whose values are strings, numbers or booleans (descriptive metadata). */
export function scalarRecordField(parent: Record<string, unknown>, key: string, path: string): Record<string, string | number | boolean> {
  const o = objectField(parent, key, path);
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string' && typeof x !== 'boolean' && !(typeof x === 'number' && Number.isFinite(x))) {
      fieldError(`${path}.${key}.${k}`, 'a string, finite number or boolean', x);
    }
  }
  return o as Record<string, string | number | boolean>;
}
