/** How long and how often one throughput measurement runs. */
export interface MeasureOptions {
  /** Calls made and discarded first (JIT warm-up, workspace allocation). */
  warmupCalls: number;
  /** Keep calling until this much time has passed... */
  minSeconds: number;
  /** ...and at least this many timed calls were made. */
  minCalls: number;
}

/** Full-run measurement: 1 warm-up call, then at least 3 s and 3 calls. */
export const FULL_MEASURE: MeasureOptions = { warmupCalls: 1, minSeconds: 3, minCalls: 3 };
/** `--quick` measurement: a smoke run, 1 warm-up call, then at least 0.3 s and 1 call. */
export const QUICK_MEASURE: MeasureOptions = { warmupCalls: 1, minSeconds: 0.3, minCalls: 1 };

/** A throughput in windows per second of wall time and per second of this process's CPU time. */
export interface Throughput {
  wall: number;
  /**
   * Windows per CPU second (user + system of this process): on a machine shared with other jobs
   * this is the figure an idle core would give; wall-clock figures drop with the load.
   */
  cpu: number;
}

/**
 * Throughput of `call`, where one call processes `windowsPerCall` windows. Times the whole timed
 * loop (not per call) so timer resolution never matters.
 *
 * @example
 * const { wall } = await throughput(() => model.score(batch, 256, out), 256, FULL_MEASURE);
 */
export async function throughput(call: () => unknown, windowsPerCall: number, options: MeasureOptions): Promise<Throughput> {
  for (let i = 0; i < options.warmupCalls; i++) await call();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let calls = 0;
  let elapsed: number;
  do {
    await call();
    calls++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < options.minSeconds || calls < options.minCalls);
  const cpu = process.cpuUsage(cpuStart);
  const windows = calls * windowsPerCall;
  return { wall: windows / elapsed, cpu: windows / ((cpu.user + cpu.system) / 1e6) };
}

/** Builds {@link PeerFigures} from the three measurements. */
export function figures(inferB1: Throughput, inferB256: Throughput, trainB64: Throughput, note?: string): PeerFigures {
  return {
    inferB1: inferB1.wall,
    inferB256: inferB256.wall,
    trainB64: trainB64.wall,
    perCpuSecond: { inferB1: inferB1.cpu, inferB256: inferB256.cpu, trainB64: trainB64.cpu },
    ...(note === undefined ? {} : { note }),
  };
}

/** Figures of one implementation, windows per second. */
export interface PeerFigures {
  /** Scoring one window per call. */
  inferB1: number;
  /** Scoring 256 windows per call. */
  inferB256: number;
  /** Training: forward, backward and optimizer step on batches of 64. */
  trainB64: number;
  /** The same per second of CPU time (robust to other load on the machine). */
  perCpuSecond: { inferB1: number; inferB256: number; trainB64: number };
  /** What was measured, where it differs from the others. */
  note?: string;
}

/** Forward FLOP of one window of the benchmark architecture: T · (24H² + 10H) (issue 2). */
export function forwardFlopPerWindow(steps: number, hidden: number): number {
  return steps * (24 * hidden * hidden + 10 * hidden);
}
