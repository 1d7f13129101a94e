import { EMULATOR_REGION } from '../aws/clients';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServiceProcess, waitUntilReady } from './service-process';

/** Options of {@link startFauxqsEmulator}. */
export interface FauxqsEmulatorOptions {
  /** Region for ARNs when a request carries none (default {@link EMULATOR_REGION}). */
  readonly region?: string;
  /**
   * `child` (default): a separate process, so the emulator's work runs on the other core and
   * cannot stall the handler's event loop. `in-process`: same event loop, faster start.
   */
  readonly mode?: 'child' | 'in-process';
  /** Readiness timeout (default {@link DEFAULT_FAUXQS_READY_TIMEOUT_MS}). */
  readonly readyTimeoutMs?: number;
}

/** A running fauxqs (SNS + SQS + S3 on one port). */
export interface FauxqsEmulator {
  /** e.g. `http://127.0.0.1:40211`: the endpoint of all three services. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** fauxqs starts in well under a second; the margin covers a loaded CI machine. */
export const DEFAULT_FAUXQS_READY_TIMEOUT_MS = 30_000;

/**
 * Finds fauxqs's ESM entry. The package exports only an `import` condition, so `require.resolve`
 * cannot name it: walk Node's own module search path for the package folder instead.
 */
function fauxqsEntry(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('fauxqs') ?? []) {
    const manifest = path.join(dir, 'fauxqs', 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string };
    return path.join(dir, 'fauxqs', pkg.main ?? 'dist/app.js');
  }
  throw new Error('the fauxqs package is not installed (it is a devDependency: run npm ci)');
}

/**
 * The server code, the same in both modes. It builds the app itself and listens on the
 * loopback interface only: `startFauxqs` binds every interface, and an unauthenticated
 * emulator holding ECG data should not be reachable from the network.
 */
function serverScript(entryUrl: string, region: string): string {
  return `const { buildApp } = await import(${JSON.stringify(entryUrl)});
const app = buildApp({ logger: false, defaultRegion: ${JSON.stringify(region)} });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.on('SIGTERM', () => { app.close().finally(() => process.exit(0)); });
process.stdout.write(JSON.stringify({ fauxqsReady: address }) + '\\n');`;
}

/**
 * Starts fauxqs on a free loopback port. Ready when `/health` answers.
 *
 * @example
 * const f = await startFauxqsEmulator();
 * const s3 = new S3Client({ endpoint: f.endpoint, forcePathStyle: true, ... });
 * await f.stop();
 */
export async function startFauxqsEmulator(options: FauxqsEmulatorOptions = {}): Promise<FauxqsEmulator> {
  const entry = fauxqsEntry();
  const region = options.region ?? EMULATOR_REGION;
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_FAUXQS_READY_TIMEOUT_MS;
  if (options.mode === 'in-process') {
    const { buildApp } = (await import(pathToFileURL(entry).href)) as typeof import('fauxqs');
    const app = buildApp({ logger: false, defaultRegion: region });
    const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
    return { endpoint, stop: () => app.close() };
  }
  let endpoint: string | undefined;
  const service = startServiceProcess({
    name: 'fauxqs',
    module: 'esm',
    script: serverScript(pathToFileURL(entry).href, region),
    onLine: (line) => {
      if (!line.startsWith('{"fauxqsReady"')) return;
      endpoint = (JSON.parse(line) as { fauxqsReady: string }).fauxqsReady;
    },
  });
  try {
    await waitUntilReady(service, () => healthy(endpoint), timeoutMs, 50);
  } catch (err) {
    await service.stop(500);
    throw err;
  }
  return { endpoint: endpoint as string, stop: () => service.stop() };
}

/** True once fauxqs's `/health` answers 200. */
async function healthy(endpoint: string | undefined): Promise<boolean> {
  if (endpoint === undefined) return false;
  const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.ok;
}
