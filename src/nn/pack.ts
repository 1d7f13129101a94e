/**
 * Packs a fused recurrent kernel U [H, G*H] (tfjs layout: row k, column gate*H + unit) for the
 * scoring kernels: units in pairs, and for each pair and each input k the G gate weights of the
 * first unit then those of the second, contiguous:
 *
 *   packed[((p * H + k) * 2 + s) * G + gate] = U[k, gate * H + 2p + s]
 *
 * so one running index walks all weights of a unit pair in order. An odd last unit gets a zero
 * partner. `out` needs {@link packedUnitPairsLength} elements.
 *
 * @example
 * const packed = new Float64Array(packedUnitPairsLength(32, 4));
 * packUnitPairs(32, 4, recurrentKernel, packed);
 */
export function packUnitPairs(H: number, G: number, u: Float64Array, out: Float64Array): void {
  out.fill(0);
  const width = G * H;
  for (let unit = 0; unit < H; unit++) {
    const p = unit >> 1;
    const s = unit & 1;
    for (let k = 0; k < H; k++) {
      const dst = ((p * H + k) * 2 + s) * G;
      for (let gate = 0; gate < G; gate++) out[dst + gate] = u[k * width + gate * H + unit];
    }
  }
}

/** Elements {@link packUnitPairs} writes for H units and G gates (H rounded up to even). */
export function packedUnitPairsLength(H: number, G: number): number {
  return (H + (H & 1)) * H * G;
}
