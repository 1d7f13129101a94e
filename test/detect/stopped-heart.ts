/**
 * A stopped heart with the electrodes on, for the asystole tests: each lead keeps its own
 * baseline with a slow drift and small noise at MIT-BIH's 5 µV step (not constant: a constant or
 * clipped lead is lead-off, which must not be read as asystole).
 */

/**
 * Overwrites `leads[k][from..to)` in place with a stopped heart (seeded, the same on every run).
 *
 * @example
 * stopHeart(leads, lastBeat + Math.round(0.5 * FS), lastBeat + 7 * FS);
 */
export function stopHeart(leads: readonly Float32Array[], from: number, to: number, fs = 360): void {
  let seed = 11;
  for (const x of leads) {
    const level = x[from];
    for (let i = from; i < to; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const noise = (seed / 2 ** 31 - 0.5) * 0.03;
      x[i] = Math.round((level + 0.05 * Math.sin((2 * Math.PI * 0.3 * (i - from)) / fs) + noise) * 200) / 200;
    }
  }
}
