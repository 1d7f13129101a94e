import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeVersion } from '../../scripts/code-version';

/** A throwaway repository with one commit holding src/a.ts, scripts/b.ts and notes.md. */
function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'code-version-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: dir });
  git('init', '-q');
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'scripts', 'b.ts'), 'export const b = 1;\n');
  writeFileSync(join(dir, 'notes.md'), 'notes\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return dir;
}

describe('codeVersion', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempRepo();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the checked-out commit and a clean tree', () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(codeVersion(dir)).toEqual({ commit: head, uncommittedChanges: false, checked: ['src/', 'scripts/'] });
  });

  it('ignores changes outside src/ and scripts/', () => {
    writeFileSync(join(dir, 'notes.md'), 'changed\n');
    expect(codeVersion(dir).uncommittedChanges).toBe(false);
  });

  it('sees a modified file under src/ and an untracked one under scripts/', () => {
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
    expect(codeVersion(dir).uncommittedChanges).toBe(true);
    execFileSync('git', ['checkout', '-q', '--', 'src/a.ts'], { cwd: dir });
    expect(codeVersion(dir).uncommittedChanges).toBe(false);
    writeFileSync(join(dir, 'scripts', 'c.ts'), 'export const c = 1;\n');
    expect(codeVersion(dir).uncommittedChanges).toBe(true);
  });

  it('says git is unavailable instead of failing', () => {
    const missing = () => {
      throw new Error('spawnSync git ENOENT');
    };
    expect(codeVersion(dir, missing)).toEqual({
      commit: null,
      uncommittedChanges: null,
      unavailable: 'git unavailable: spawnSync git ENOENT',
    });
  });
});
