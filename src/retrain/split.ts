import { createRandom, shuffleInPlace, type Random } from '../nn';
import type { DeviceBeats, HistoryDataset } from './dataset';
import { deviceHash } from './device-sample';

/** Packed windows [count, steps] and their RR context [count, 2] (`rrPrev`, `rrNext`; NaN unknown). */
export interface WindowSet {
  readonly data: Float32Array;
  readonly rr: Float32Array;
  readonly count: number;
}

/** The data of one retraining, split so that no held-out beat was trained on. */
export interface RetrainSplit {
  /** Normal beats of the training devices. */
  readonly train: WindowSet;
  /** Held-out normal beats that drive early stopping. */
  readonly stop: WindowSet;
  /** Held-out normal beats the models are compared on and the global threshold is fitted on. */
  readonly evaluate: WindowSet;
  /** Beats the champion flagged, from every device (none is ever trained on). */
  readonly flagged: WindowSet;
  readonly trainDevices: number;
  readonly heldOutDevices: number;
  /** `device`: whole devices held out; `beat`: a single device, whose beats were split instead. */
  readonly by: 'device' | 'beat';
}

/**
 * Holds out a seeded `fraction` of the devices (at least one, never all): their normal beats
 * are split in two halves, one for early stopping, one for the comparison and the threshold, so
 * the model chosen by early stopping is judged on beats that chose nothing. With a single device
 * its beats are split instead (and `by` says so). The comparison sets (held-out normal, flagged)
 * are capped at `maxEvaluation` beats each (a seeded sample), so evaluation time is bounded.
 *
 * @example
 * const split = splitByDevice(dataset, 0.2, seed);
 */
export function splitByDevice(dataset: HistoryDataset, fraction: number, seed: number, maxEvaluation = Infinity): RetrainSplit {
  const steps = dataset.steps;
  const rng = createRandom(seed ^ 0x5eed);
  const devices = dataset.devices.filter((d) => d.normalCount + d.flaggedCount > 0);
  const flagged = subsampleWindows(
    concat(
      devices.map((d) => ({ data: d.flagged, rr: d.flaggedRr, count: d.flaggedCount })),
      steps,
    ),
    maxEvaluation,
    steps,
    rng,
  );
  if (devices.length <= 1) {
    const only = devices[0];
    const all: WindowSet = only ? normalOf(only) : { data: new Float32Array(0), rr: new Float32Array(0), count: 0 };
    const order = shuffleInPlace(indices(all.count), rng);
    const held = Math.round(all.count * fraction);
    const stopCount = Math.floor(held / 2);
    return {
      train: gather(all, order.subarray(held), steps),
      stop: gather(all, order.subarray(0, stopCount), steps),
      evaluate: gather(all, order.subarray(stopCount, Math.min(held, stopCount + maxEvaluation)), steps),
      flagged,
      trainDevices: devices.length,
      heldOutDevices: 0,
      by: 'beat',
    };
  }
  // Order devices by a seeded hash of their id: which devices are held out does not depend on
  // the order history was read in.
  const ranked = [...devices].sort(
    (a, b) => deviceHash(a.deviceId, seed) - deviceHash(b.deviceId, seed) || (a.deviceId < b.deviceId ? -1 : 1),
  );
  const heldCount = Math.min(devices.length - 1, Math.max(1, Math.round(devices.length * fraction)));
  const held = ranked.slice(0, heldCount);
  const training = ranked.slice(heldCount);
  const heldNormal = concat(held.map(normalOf), steps);
  const order = shuffleInPlace(indices(heldNormal.count), rng);
  const stopCount = Math.floor(heldNormal.count / 2);
  return {
    train: concat(training.map(normalOf), steps),
    stop: gather(heldNormal, order.subarray(0, stopCount), steps),
    evaluate: gather(heldNormal, order.subarray(stopCount, Math.min(heldNormal.count, stopCount + maxEvaluation)), steps),
    flagged,
    trainDevices: training.length,
    heldOutDevices: held.length,
    by: 'device',
  };
}

/**
 * A seeded uniform subset of at most `max` windows (all of them, in order, when there are fewer).
 *
 * @example
 * const epochSet = subsampleWindows(split.train, 5000, steps, createRandom(1));
 */
export function subsampleWindows(set: WindowSet, max: number, steps: number, rng: Random): WindowSet {
  if (set.count <= max) return set;
  const order = shuffleInPlace(indices(set.count), rng).subarray(0, max).sort();
  return gather(set, order, steps);
}

function normalOf(d: DeviceBeats): WindowSet {
  return { data: d.normal, rr: d.normalRr, count: d.normalCount };
}

function indices(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function gather(set: WindowSet, rows: ArrayLike<number>, steps: number): WindowSet {
  const data = new Float32Array(rows.length * steps);
  const rr = new Float32Array(rows.length * 2);
  for (let k = 0; k < rows.length; k++) {
    data.set(set.data.subarray(rows[k] * steps, (rows[k] + 1) * steps), k * steps);
    rr[2 * k] = set.rr[2 * rows[k]];
    rr[2 * k + 1] = set.rr[2 * rows[k] + 1];
  }
  return { data, rr, count: rows.length };
}

function concat(sets: readonly WindowSet[], steps: number): WindowSet {
  let count = 0;
  for (const s of sets) count += s.count;
  const data = new Float32Array(count * steps);
  const rr = new Float32Array(count * 2);
  let at = 0;
  for (const s of sets) {
    data.set(s.data.subarray(0, s.count * steps), at * steps);
    rr.set(s.rr.subarray(0, s.count * 2), at * 2);
    at += s.count;
  }
  return { data, rr, count };
}
