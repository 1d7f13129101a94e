import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/beatwatch.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real `beatwatch` executable as a user would (same Node as the tests), capturing both streams. */
function beatwatch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return beatwatchWith({}, ...args);
}

/** {@link beatwatch} with more environment variables. */
function beatwatchWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, BEATWATCH_DEBUG: '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

/** Lines a message has once the trailing newline is dropped. */
const lines = (text: string) => text.replace(/\n$/, '').split('\n');

describe('beatwatch (the installed command): every error is one line on stderr', () => {
  it('a missing model file: exit 1, one line naming the file, no stack trace', async () => {
    const r = await beatwatch('demo', '--model', '/nonexistent-beatwatch/model.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^beatwatch demo: .*ENOENT.*model\.json/);
  });

  it('an alarm limit out of range in the environment: exit 2, one line naming the variable, before the local stack starts', async () => {
    const r = await beatwatchWith({ ASYSTOLE_SECONDS: '0' }, 'demo', '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^beatwatch demo: ASYSTOLE_SECONDS must be a number > 0, got "0"/);
    const contradicting = await beatwatchWith({ TACHY_BPM: '38' }, 'demo', '--json');
    expect(contradicting.code).toBe(2);
    expect(contradicting.stderr).toMatch(/BRADY_BPM \(40\) must be below TACHY_BPM \(38\)/);
  });

  it('a garbage WFDB header: exit 1, one line; --debug adds the stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beatwatch-bin-'));
    try {
      writeFileSync(join(dir, 'junk.hea'), 'garbage\n');
      const r = await beatwatch('score', '--record', join(dir, 'junk'));
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^beatwatch score: .*junk\.hea: line 1: /)]);
      const debug = await beatwatch('score', '--record', join(dir, 'junk'), '--debug');
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a records folder that does not exist: exit 1, one line with the sub-command as prefix', async () => {
    const r = await beatwatch('eval', 'mitdb', '--records', '/nonexistent-beatwatch');
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^beatwatch eval mitdb: .*nonexistent-beatwatch/)]);
  });

  it('a negative number after a flag is its value, checked by the command: exit 2, one line', async () => {
    const r = await beatwatch('demo', '--seconds', '-5');
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^beatwatch demo: --seconds must be .*, got -5 /)]);
  });

  it('an empty value is a usage error naming the flag, not "use the default"', async () => {
    const r = await beatwatch('bench', '--only=');
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^beatwatch bench: --only needs a value/)]);
  });

  it('eval ecg5000 --help and eval mitdb --help print their own usage on stdout', async () => {
    const [ecg, mitdb] = await Promise.all([beatwatch('eval', 'ecg5000', '--help'), beatwatch('eval', 'mitdb', '--help')]);
    expect(ecg.code).toBe(0);
    expect(ecg.stdout).toMatch(/^usage: beatwatch eval ecg5000 /);
    expect(mitdb.code).toBe(0);
    expect(mitdb.stdout).toMatch(/^usage: beatwatch eval mitdb /);
  });
});
