/**
 * The simulator's seeded random source. `src/ecg` imports no other project folder, so it keeps
 * its own generator rather than borrowing the neural engine's. It is deliberately the same
 * algorithm as `src/nn/random.ts` (SFC32 seeded through SplitMix32, Box-Muller normals with the
 * second of each pair cached): simulated signals are then bit for bit what they were when the
 * simulator drew from the engine's generator, and a test checks the two streams stay equal.
 */
export interface EcgRandom {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Standard normal (mean 0, std 1). */
  normal(): number;
}

/**
 * Creates the simulator's generator for a seed (any finite number; same seed, same sequence).
 *
 * @example
 * const rng = createEcgRandom(7);
 * const jitter = 0.03 * rng.normal();
 */
export function createEcgRandom(seed: number): EcgRandom {
  if (!Number.isFinite(seed)) throw new RangeError(`createEcgRandom: seed must be a finite number, got ${seed}`);
  // SplitMix32 spreads one seed over four state words, so seeds 1, 2, 3 give unrelated streams.
  let sm = (Math.trunc(seed) ^ (seed < 0 ? 0x9e3779b9 : 0)) >>> 0;
  const splitMix = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitMix();
  let b = splitMix();
  let c = splitMix();
  let d = splitMix() | 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of SFC still echo the seed: drop them.
  for (let i = 0; i < 12; i++) nextUint32();
  const next = (): number => nextUint32() / 4294967296;
  let spare = 0;
  let hasSpare = false;
  return {
    next,
    normal(): number {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      // 1 - next() is in (0, 1], so the log is finite.
      const r = Math.sqrt(-2 * Math.log(1 - next()));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      hasSpare = true;
      return r * Math.cos(theta);
    },
  };
}
