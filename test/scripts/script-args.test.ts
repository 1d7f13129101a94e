import { describe, expect, it } from 'vitest';
import { scriptArgs, type ScriptIo } from '../../scripts/script-args';

/** Records what a script would print and the code it would exit with (exit throws to stop the parse). */
function recorder(): ScriptIo & { printed: string; errors: string; code: number | null } {
  const r = {
    printed: '',
    errors: '',
    code: null as number | null,
    out: (t: string) => {
      r.printed += t;
    },
    err: (t: string) => {
      r.errors += t;
    },
    exit: (code: number): never => {
      r.code = code;
      throw new Error(`exit ${code}`);
    },
  };
  return r;
}

const OPTIONS = { json: { type: 'boolean' }, rule: { type: 'string', multiple: true } } as const;
const USAGE = 'npx tsx scripts/x.ts [--json] [--rule NAME]...';

describe('scriptArgs', () => {
  it('returns the parsed options', () => {
    const io = recorder();
    const values = scriptArgs(OPTIONS, USAGE, ['--json', '--rule', 'vt', '--rule', 'af'], io);
    expect(values).toEqual({ json: true, rule: ['vt', 'af'] });
    expect(io.code).toBeNull();
  });

  it('prints the usage on --help and exits 0', () => {
    const io = recorder();
    expect(() => scriptArgs(OPTIONS, USAGE, ['--rule', 'vt', '--help'], io)).toThrow('exit 0');
    expect(io.code).toBe(0);
    expect(io.printed).toBe(`usage: ${USAGE}\n`);
    expect(io.errors).toBe('');
  });

  it('names an unknown option, prints the usage and exits 2, with no stack trace', () => {
    const io = recorder();
    expect(() => scriptArgs(OPTIONS, USAGE, ['--jsn'], io)).toThrow('exit 2');
    expect(io.code).toBe(2);
    expect(io.errors).toMatch(/^error: .*--jsn/);
    expect(io.errors).toContain(`usage: ${USAGE}\n`);
    expect(io.errors).not.toMatch(/\n\s+at /);
  });

  it('rejects a value-taking option given no value', () => {
    const io = recorder();
    expect(() => scriptArgs(OPTIONS, USAGE, ['--rule'], io)).toThrow('exit 2');
    expect(io.errors).toMatch(/--rule/);
  });
});
