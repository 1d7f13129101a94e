import { buildSync } from 'esbuild';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** One file of the console page, built at synth time. */
export interface ConsoleSiteFileSpec {
  /** Object key in the site bucket. */
  readonly key: string;
  readonly contentType: string;
  /** Where the built file is on disk (a CDK file asset is made of it). */
  readonly path: string;
}

const built = new Map<string, readonly ConsoleSiteFileSpec[]>();

/**
 * The console's page as the site serves it: `index.html` as written, `app.js` bundled from
 * `src/view/web/app.ts` by esbuild (minified, for browsers), into a fresh temporary folder. Built
 * once per process and project (a test synthesizes many stacks).
 *
 * @example
 * for (const f of consoleSiteFiles(PROJECT_ROOT)) new assets.Asset(this, f.key, { path: f.path });
 */
export function consoleSiteFiles(projectRoot: string): readonly ConsoleSiteFileSpec[] {
  const cached = built.get(projectRoot);
  if (cached) return cached;
  const web = path.join(projectRoot, 'src', 'view', 'web');
  const out = mkdtempSync(path.join(tmpdir(), 'beatwatch-console-'));
  buildSync({
    entryPoints: [path.join(web, 'app.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    outfile: path.join(out, 'app.js'),
    logLevel: 'silent',
  });
  copyFileSync(path.join(web, 'index.html'), path.join(out, 'index.html'));
  const files: ConsoleSiteFileSpec[] = [
    { key: 'index.html', contentType: 'text/html; charset=utf-8', path: path.join(out, 'index.html') },
    { key: 'app.js', contentType: 'text/javascript; charset=utf-8', path: path.join(out, 'app.js') },
  ];
  built.set(projectRoot, files);
  return files;
}
