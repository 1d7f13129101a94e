import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Peak resident set size and V8 heap of this process while a sampler ran, bytes. */
export interface MemoryPeak {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Heap in use when sampling started: what the run added at its peak is `heapUsedBytes - baselineHeapBytes`. */
  readonly baselineHeapBytes: number;
}

/**
 * Samples `process.memoryUsage()` every `everyMs` until `stop()`, which returns the peaks. The
 * process is the one running the detect handlers (kinesis-local and fauxqs are child processes,
 * not counted; dynalite runs in it and is).
 *
 * @example
 * const memory = sampleMemory();
 * await run();
 * const { rssBytes } = memory.stop();
 */
export function sampleMemory(everyMs = 100): { stop(): MemoryPeak } {
  const first = process.memoryUsage();
  let rss = first.rss;
  let heap = first.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssBytes: rss, heapUsedBytes: heap, baselineHeapBytes: first.heapUsed };
    },
  };
}

/**
 * Heap in use after a full garbage collection, bytes: what is still referenced (a peak says
 * little, since V8 collects lazily). The collector is reached without a command-line flag by
 * turning `--expose-gc` on at run time and taking `gc` from a fresh context.
 *
 * @example
 * const before = liveHeapBytes();
 */
export function liveHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
