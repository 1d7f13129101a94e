/**
 * Reading a stretch back out of a segmenter's ring of recent samples (sample `i` of the stream
 * lives at `ring[i % ring.length]` while it is among the last `ring.length` of `n`).
 */

/**
 * Copies stream samples `from .. from + out.length - 1` into `out`; a sample before the stream,
 * already overwritten or not yet arrived reads as 0. No allocation (called per beat).
 *
 * @example
 * const ring = Float32Array.from([4, 5, 6, 7]); // samples 4..7 of a stream of n = 8
 * const out = new Float32Array(3);
 * readRing(ring, 8, 3, out); // out = [0, 4, 5]
 */
export function readRing(ring: ArrayLike<number>, n: number, from: number, out: Float32Array | Float64Array): void {
  const length = ring.length;
  const oldest = n - length;
  for (let k = 0; k < out.length; k++) {
    const i = from + k;
    out[k] = i < 0 || i < oldest || i >= n ? 0 : ring[i % length];
  }
}
