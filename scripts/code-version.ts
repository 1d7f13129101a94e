/**
 * Which code produced an output: the git commit of the working tree and whether the folders that
 * hold the code (`src/`, `scripts/`) had uncommitted changes (modified, staged or untracked files).
 * A training report carries it beside the package version, which does not change with every commit.
 * Without git (a source tarball, no git on the path) it says so instead of failing.
 */
import { execFileSync } from 'node:child_process';

/** The folders whose uncommitted changes would make the commit an incomplete answer. */
export const CODE_FOLDERS = ['src', 'scripts'] as const;

/** The code an output came from, or why it could not be told. */
export type CodeVersion =
  | { readonly commit: string; readonly uncommittedChanges: boolean; readonly checked: readonly string[] }
  | { readonly commit: null; readonly uncommittedChanges: null; readonly unavailable: string };

/** Runs git with `args` in `cwd` and returns its stdout; throws when git fails or is missing. */
export type GitRunner = (args: readonly string[], cwd: string) => string;

const runGit: GitRunner = (args, cwd) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The commit checked out in `cwd` and whether `src/` or `scripts/` differ from it.
 *
 * @example
 * const code = codeVersion(process.cwd());
 * // { commit: '2dc4fd7…', uncommittedChanges: false, checked: ['src/', 'scripts/'] }
 */
export function codeVersion(cwd: string, git: GitRunner = runGit): CodeVersion {
  try {
    const commit = git(['rev-parse', 'HEAD'], cwd).trim();
    const status = git(['status', '--porcelain', '--untracked-files=all', '--', ...CODE_FOLDERS], cwd);
    return { commit, uncommittedChanges: status.trim() !== '', checked: CODE_FOLDERS.map((f) => `${f}/`) };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0] ?? 'unknown error';
    return { commit: null, uncommittedChanges: null, unavailable: `git unavailable: ${reason}` };
  }
}
