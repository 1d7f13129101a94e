import { spawn, type ChildProcess } from 'node:child_process';

/** How much of a child's output is kept for error messages (the tail, in characters). */
export const OUTPUT_TAIL_CHARS = 4000;

/**
 * Snippet prepended to every child's script: the child exits when its stdin closes, which
 * happens when the parent dies however it dies (even SIGKILL), so emulators never outlive
 * the test run or CLI that started them.
 */
export const LIFELINE = "process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";

/** A local service running as a child Node process, with its output captured, not printed. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last {@link OUTPUT_TAIL_CHARS} characters of stdout+stderr, for error messages. */
  outputTail(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
  /** True once the child has exited. */
  hasExited(): boolean;
  /** Closes the lifeline and sends SIGTERM, then SIGKILL after `graceMs` (at once when 0); resolves when the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort when the parent exits without calling stop().
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Starts `script` (JavaScript source, ESM or CommonJS) in a child of the running Node binary
 * (`process.execPath`, the project's Node 24 under npm/npx), with the {@link LIFELINE}.
 * `onLine` sees each stdout line, for readiness handshakes.
 */
export function startServiceProcess(options: {
  name: string;
  script: string;
  module: 'esm' | 'commonjs';
  env?: Record<string, string>;
  cwd?: string;
  onLine?: (line: string) => void;
}): ServiceProcess {
  installExitHook();
  const args = ['--no-warnings', `--input-type=${options.module === 'esm' ? 'module' : 'commonjs'}`, '-e', `${LIFELINE}${options.script}`];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  let lineBuffer = '';
  const keep = (text: string) => {
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    keep(chunk);
    if (!options.onLine) return;
    lineBuffer += chunk;
    let nl = lineBuffer.indexOf('\n');
    while (nl >= 0) {
      options.onLine(lineBuffer.slice(0, nl));
      lineBuffer = lineBuffer.slice(nl + 1);
      nl = lineBuffer.indexOf('\n');
    }
  });
  child.stderr?.on('data', keep);
  // The stdin pipe is the lifeline; never let its errors crash the parent.
  child.stdin?.on('error', () => undefined);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      done = true;
      live.delete(child);
      keep(`\n[spawn error] ${err.message}`);
      resolve('spawn-error');
    });
  });
  return {
    name: options.name,
    child,
    outputTail: () => tail,
    exited,
    hasExited: () => done,
    async stop(graceMs = 3000) {
      if (done) return;
      // Closing stdin trips the lifeline (an immediate exit); SIGTERM as well, in case the
      // script replaced stdin handling. kinesis-local ignores SIGTERM for seconds otherwise.
      child.stdin?.end();
      if (graceMs <= 0) child.kill('SIGKILL');
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, graceMs));
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` every `intervalMs` until it resolves true, the service exits, or `timeoutMs`
 * passes; the error names the service and carries its output tail.
 */
export async function waitUntilReady(
  service: ServiceProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.hasExited()) {
      throw new Error(`${service.name} exited (${await service.exited}) before it was ready; its output:\n${service.outputTail()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${service.name} was not ready within ${timeoutMs} ms; its output:\n${service.outputTail()}`);
}

/** Number of service children started here that are still running (for diagnostics and tests). */
export function liveServiceCount(): number {
  return live.size;
}
