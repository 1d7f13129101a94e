import type { Context, KinesisStreamEvent } from 'aws-lambda';
import type { KinesisHandler } from './lambda-event';

/** One emulated Lambda execution environment, as the factory of its handler sees it. */
export interface ExecutionEnvironment {
  /** `<name>#<n>`: what it serves (a shard) and how many environments served it before (logs, tests). */
  readonly id: string;
  /**
   * Aborted when the environment is shut down: after a timeout (Lambda kills the environment
   * then) or when the poller stops. A handler that keeps state should stop acting on it: once
   * aborted, nothing it does may reach the outside world (`createDetectHandler({ signal })`).
   */
  readonly signal: AbortSignal;
}

/** Builds the handler of a new execution environment (Lambda's init phase: module load, clients, caches). */
export type HandlerFactory = (environment: ExecutionEnvironment) => KinesisHandler | Promise<KinesisHandler>;

/**
 * Where the function's code comes from: one handler shared by every environment (a stateless
 * function; it cannot be shut down, so a late result is only ignored), or a factory called for
 * each new environment (a handler that keeps state in memory, like the detector).
 */
export type HandlerSource = { readonly handler: KinesisHandler } | { readonly createHandler: HandlerFactory };

/** The error of an invocation that ran past its timeout; the name is the error type Lambda reports for one. */
export class InvocationTimeout extends Error {
  override readonly name = 'Sandbox.Timedout';
  constructor(readonly timeoutMs: number) {
    super(`Task timed out after ${timeoutMs} ms`);
  }
}

/** An environment in service. */
interface Live {
  readonly handler: Promise<KinesisHandler>;
  readonly controller: AbortController;
}

/**
 * Runs a handler the way Lambda runs a function for one event source shard: one invocation at a
 * time in one execution environment, created on the first invocation (a cold start) and reused
 * while it is healthy. A timeout ends the environment: its result, whenever it comes, is
 * ignored, its signal is aborted, and the next invocation starts a fresh environment from the
 * factory, with no in-memory state, so nothing the timed-out invocation still does can roll
 * back or overwrite what the retry did. A handler that fails to initialise (the factory throws)
 * fails the invocation and is built again next time, as Lambda retries an init error.
 *
 * @example
 * const runtime = new FunctionRuntime({ createHandler: ({ signal }) => createDetectHandler({ env, signal }) }, 'shardId-000000000000');
 * const response = await runtime.invoke(event, context, 60_000);
 */
export class FunctionRuntime {
  /** Environments started so far (cold starts). */
  environments = 0;
  private current: Live | undefined;
  private readonly factory: HandlerFactory;

  constructor(
    source: HandlerSource,
    /** Names the environments (`<name>#<n>`). */
    private readonly name: string,
  ) {
    const shared = 'handler' in source ? source.handler : undefined;
    this.factory = shared === undefined ? (source as { createHandler: HandlerFactory }).createHandler : () => shared;
  }

  /**
   * Invokes the handler in the current environment (starting one if there is none). Resolves to
   * its response; rejects with its error, or with an {@link InvocationTimeout} when it runs past
   * `timeoutMs`, in which case the environment is shut down.
   */
  async invoke(event: KinesisStreamEvent, context: Context, timeoutMs: number): Promise<unknown> {
    const live = (this.current ??= this.start());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    const running = live.handler.then(
      (handler) => handler(event, context),
      (err: unknown) => {
        // An init error: this environment never served; the next invocation builds a new one.
        this.shutDown(live, err);
        throw err;
      },
    );
    try {
      const outcome = await Promise.race([running.then((response) => ({ response })), timedOut]);
      if (outcome !== TIMED_OUT) return outcome.response;
      const error = new InvocationTimeout(timeoutMs);
      // Whatever the abandoned invocation resolves or throws later is nobody's business now.
      running.catch(() => undefined);
      this.shutDown(live, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Shuts the current environment down (the poller stopping). Idempotent. */
  stop(): void {
    if (this.current) this.shutDown(this.current, new Error('the event source mapping stopped'));
  }

  private start(): Live {
    const controller = new AbortController();
    const environment: ExecutionEnvironment = { id: `${this.name}#${++this.environments}`, signal: controller.signal };
    // Built lazily inside a promise so a factory that throws synchronously is an init error too.
    const handler = Promise.resolve().then(() => this.factory(environment));
    handler.catch(() => undefined);
    return { handler, controller };
  }

  private shutDown(live: Live, reason: unknown): void {
    if (this.current === live) this.current = undefined;
    live.controller.abort(reason);
  }
}

const TIMED_OUT = Symbol('timed out');
