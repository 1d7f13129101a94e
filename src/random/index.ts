/**
 * A small seeded pseudo-random generator (SFC32, Chris Doty-Humphrey's "small fast counting"
 * generator, seeded through SplitMix32). Everything random in beatwatch (weight init, shuffling,
 * synthetic signals) draws from it, so a seed reproduces a run bit for bit on any platform:
 * only 32-bit integer arithmetic is involved before the final scaling.
 */
export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Standard normal (mean 0, std 1), Box-Muller; pairs are cached so two calls cost one pair. */
  normal(): number;
  /** Uniform integer in [0, n). `n` must be a positive integer below 2^32. */
  int(n: number): number;
}

/**
 * Creates a seeded generator. Any finite number is a valid seed (the integer part and sign are
 * mixed in); the same seed always yields the same sequence.
 *
 * @example
 * const rng = createRandom(42);
 * const u = rng.next();      // [0, 1)
 * const k = rng.int(10);     // 0..9
 * const z = rng.normal();    // N(0, 1)
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`createRandom: seed must be a finite number, got ${seed}`);
  // SplitMix32 expands one seed into four well-mixed state words, so nearby seeds
  // (1, 2, 3) give unrelated streams.
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
  // Discard the first outputs: SFC's state needs a few rounds to decorrelate from the seed.
  for (let i = 0; i < 12; i++) nextUint32();

  let spare = 0;
  let hasSpare = false;
  const next = (): number => nextUint32() / 4294967296;
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
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Random.int: n must be an integer in [1, 2^32], got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

/** Fisher-Yates shuffle of `items` in place, driven by `rng`. Returns `items`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(items: T, rng: Random): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
