/**
 * Canonical JSON: object keys sorted, no whitespace, so the same value always gives the same text
 * and therefore the same sha256, whatever order its fields were built in.
 *
 * @throws TypeError on values JSON cannot represent faithfully (NaN, ±Infinity, undefined in an
 *   array, functions, bigint), naming the path, rather than silently writing `null`.
 * @example
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', parts);
  return parts.join('');
}

function write(value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
    out.push(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (value[i] === undefined) throw new TypeError(`canonicalJson: ${path}[${i}] is undefined`);
      write(value[i], `${path}[${i}]`, out);
    }
    out.push(']');
    return;
  }
  if (typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write((value as Record<string, unknown>)[k], `${path}.${k}`, out);
    });
    out.push('}');
    return;
  }
  throw new TypeError(
    `canonicalJson: ${path} is a ${ArrayBuffer.isView(value) ? 'typed array' : typeof value}, which has no canonical JSON form`,
  );
}
