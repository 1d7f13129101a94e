import { EMULATOR_REGION } from '../aws/clients';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findFreePort } from './free-port';
import { startServiceProcess, waitUntilReady, type ServiceProcess } from './service-process';

/** Options of {@link startKinesisEmulator}. */
export interface KinesisEmulatorOptions {
  /** Region the emulator's ARNs use (default {@link EMULATOR_REGION}). */
  readonly region?: string;
  /** How long CreateStream keeps a stream CREATING (default {@link DEFAULT_CREATE_STREAM_DURATION}). */
  readonly createStreamDuration?: string;
  /** Readiness timeout (default {@link DEFAULT_KINESIS_READY_TIMEOUT_MS}). */
  readonly readyTimeoutMs?: number;
  /** Log level of the emulator, captured not printed (default `WARN`). */
  readonly logLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
}

/** A running Kinesis emulator. */
export interface KinesisEmulator {
  /** Plain-HTTP endpoint, e.g. `http://127.0.0.1:43121`. */
  readonly endpoint: string;
  /** The TLS port it also opens (loopback only, like the plain one). */
  readonly tlsPort: number;
  readonly process: ServiceProcess;
  stop(): Promise<void>;
}

/** Streams become ACTIVE this fast (kinesis-local's default, 500 ms, slows every test). */
export const DEFAULT_CREATE_STREAM_DURATION = '50ms';
/** kinesis-local starts in about 1 s; the margin covers a loaded 2-core CI machine. */
export const DEFAULT_KINESIS_READY_TIMEOUT_MS = 30_000;
/**
 * Prepended to kinesis-local's script: it binds its ports to every interface ("0.0.0.0" is
 * compiled in, no setting changes it), which would offer health data to the local network.
 * Every `listen(port, ...)` of the child is pinned to the loopback interface instead, the rule
 * the other emulator (fauxqs) follows.
 */
export const LOOPBACK_ONLY =
  "{const net=require('node:net');const listen=net.Server.prototype.listen;" +
  "net.Server.prototype.listen=function(...a){if(typeof a[0]==='number'||typeof a[0]==='string'&&/^\\d+$/.test(a[0])){" +
  "const cb=typeof a[a.length-1]==='function'?a[a.length-1]:undefined;return cb?listen.call(this,{port:Number(a[0]),host:'127.0.0.1'},cb):listen.call(this,{port:Number(a[0]),host:'127.0.0.1'});}" +
  "if(a[0]&&typeof a[0]==='object'&&'port' in a[0])a[0]={...a[0],host:'127.0.0.1'};return listen.apply(this,a);};}";

/** Port collisions (the free port taken between probe and bind) are retried this often. */
const START_ATTEMPTS = 3;

/** Resolves kinesis-local's files from the installed package, never from a fixed path. */
function kinesisLocalFiles(): { main: string; cert: string } {
  const main = createRequire(import.meta.url).resolve('kinesis-local');
  return { main, cert: path.join(path.dirname(main), 'server.json') };
}

/**
 * Starts kinesis-local (kinesis-mock compiled to JS) as a child process on free ports: the
 * plain-HTTP port the SDK uses and the TLS port it always opens, both on the loopback interface
 * only ({@link LOOPBACK_ONLY}). Ready when it answers HTTP.
 *
 * @example
 * const k = await startKinesisEmulator();
 * const client = new KinesisClient({ endpoint: k.endpoint, requestHandler: new NodeHttpHandler(), ... });
 * await k.stop();
 */
export async function startKinesisEmulator(options: KinesisEmulatorOptions = {}): Promise<KinesisEmulator> {
  const files = kinesisLocalFiles();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const plainPort = await findFreePort();
    const tlsPort = await findFreePort();
    if (tlsPort === plainPort) continue;
    const service = startServiceProcess({
      name: 'kinesis-local',
      module: 'commonjs',
      script: `${LOOPBACK_ONLY}require(${JSON.stringify(files.main)});`,
      // Its working directory is where it would persist data if asked to: keep it beside the package.
      cwd: path.dirname(files.main),
      env: {
        KINESIS_MOCK_PLAIN_PORT: String(plainPort),
        KINESIS_MOCK_TLS_PORT: String(tlsPort),
        KINESIS_MOCK_CERT_PATH: files.cert,
        CREATE_STREAM_DURATION: options.createStreamDuration ?? DEFAULT_CREATE_STREAM_DURATION,
        DELETE_STREAM_DURATION: '50ms',
        UPDATE_SHARD_COUNT_DURATION: '50ms',
        AWS_REGION: options.region ?? EMULATOR_REGION,
        LOG_LEVEL: options.logLevel ?? 'WARN',
        SHOULD_PERSIST_DATA: 'false',
        LOAD_DATA_IF_EXISTS: 'false',
      },
    });
    const endpoint = `http://127.0.0.1:${plainPort}`;
    try {
      await waitUntilReady(service, () => answersHttp(endpoint), options.readyTimeoutMs ?? DEFAULT_KINESIS_READY_TIMEOUT_MS);
      // Its streams live in memory and it ignores SIGTERM and stdin EOF for seconds (its
      // runtime waits on its own shutdown hooks): nothing is lost by killing it outright.
      return { endpoint, tlsPort, process: service, stop: () => service.stop(0) };
    } catch (err) {
      lastError = err as Error;
      await service.stop(500);
      // Only a bind failure is worth another port; anything else is reported at once.
      if (!/EADDRINUSE|address already in use/i.test(service.outputTail())) break;
    }
  }
  throw lastError ?? new Error('kinesis-local could not be started');
}

/** Any HTTP answer (even "missing authentication token") means the server is up. */
async function answersHttp(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' },
    body: '{}',
    signal: AbortSignal.timeout(1000),
  });
  await response.arrayBuffer();
  return response.status > 0;
}
