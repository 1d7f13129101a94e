/** How long and how often one throughput measurement runs. */
export interface MeasureOptions {
  /** Calls made and discarded first (JIT warm-up, workspace allocation). */
  warmupCalls: number;
  /** Keep calling until this much time has passed... */
  minSeconds: number;
  /** ...and at least this many timed calls were made. */
  minCalls: number;
  /**
   * For {@link measureRounds}: the time is split into this many rounds, alternating between the
   * implementations compared, so a machine whose speed drifts (other jobs, clock changes)
   * slows all of them alike instead of whichever happened to run during the slow spell.
   */
  rounds: number;
}

/** Full-run measurement: 1 warm-up call, then at least 5 s (5 rounds of 1 s) and 3 calls per round. */
export const FULL_MEASURE: MeasureOptions = { warmupCalls: 1, minSeconds: 5, minCalls: 3, rounds: 5 };
/** `--quick` measurement: a smoke run, 1 warm-up call, then at least 0.3 s and 1 call, one round. */
export const QUICK_MEASURE: MeasureOptions = { warmupCalls: 1, minSeconds: 0.3, minCalls: 1, rounds: 1 };

/** The three figures every implementation is measured on. */
export type Metric = 'inferB1' | 'inferB256' | 'trainB64';
export const METRICS: readonly Metric[] = ['inferB1', 'inferB256', 'trainB64'];

/** What one implementation runs for each metric: a call and the windows one call processes. */
export type Workload = Record<Metric, { call: () => unknown; windows: number }>;

/** Per metric, one throughput per round. */
export type RoundFigures = Record<Metric, Throughput[]>;

/**
 * Measures every workload on every metric in `options.rounds` rounds; within a round each
 * metric is measured for each workload in turn (ours b1, theirs b1, ours b256, ...), for
 * `minSeconds / rounds` each. Warm-up calls run in the first round only.
 *
 * @example
 * const rounds = await measureRounds({ ours, brainjs }, FULL_MEASURE);
 * const ratio = medianRatio(rounds.ours.inferB1, rounds.brainjs.inferB1);
 */
export async function measureRounds<K extends string>(
  workloads: Record<K, Workload>,
  options: MeasureOptions,
): Promise<Record<K, RoundFigures>> {
  const names = Object.keys(workloads) as K[];
  const out = Object.fromEntries(names.map((n) => [n, { inferB1: [], inferB256: [], trainB64: [] }])) as unknown as Record<K, RoundFigures>;
  const perRound: MeasureOptions = { ...options, minSeconds: options.minSeconds / options.rounds };
  for (let round = 0; round < options.rounds; round++) {
    for (const metric of METRICS) {
      for (const name of names) {
        const { call, windows } = workloads[name][metric];
        out[name][metric].push(await throughput(call, windows, { ...perRound, warmupCalls: round === 0 ? options.warmupCalls : 0 }));
      }
    }
  }
  return out;
}

/** Median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median over rounds of a's throughput / b's in the same round (wall and CPU). */
export function medianRatio(a: readonly Throughput[], b: readonly Throughput[]): Throughput {
  return {
    wall: median(a.map((t, i) => t.wall / b[i].wall)),
    cpu: median(a.map((t, i) => t.cpu / b[i].cpu)),
  };
}

/** {@link PeerFigures} from per-round measurements: the median of each figure. */
export function figuresOfRounds(rounds: RoundFigures, note?: string): PeerFigures {
  const mid = (list: readonly Throughput[]): Throughput => ({ wall: median(list.map((t) => t.wall)), cpu: median(list.map((t) => t.cpu)) });
  return figures(mid(rounds.inferB1), mid(rounds.inferB256), mid(rounds.trainB64), note);
}

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

/**
 * Forward FLOP of one window of `layers` stacked LSTMs of H units on a scalar input with a
 * dense H → 1 output (brain.js LSTMTimeStep): per step 8H(1 + H) for the first layer, 16H² for
 * each further one, 2H for the output. Two layers give {@link forwardFlopPerWindow}'s figure.
 */
export function stackedLstmFlopPerWindow(steps: number, hidden: number, layers: number): number {
  const H = hidden;
  return steps * (8 * H * (1 + H) + (layers - 1) * 16 * H * H + 2 * H);
}
