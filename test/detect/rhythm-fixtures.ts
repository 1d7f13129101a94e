/**
 * Synthetic beat windows for the rhythm-rule tests: 64 steps from 0.25 s before to 0.45 s after
 * the R peak (the default beat window), a QRS of a chosen width and polarity, a P wave or
 * fibrillatory noise before it.
 */
import { createRandom } from '../../src/random';

export const SPAN = { before: 0.25, after: 0.45 } as const;
const STEPS = 64;
const DT = (SPAN.before + SPAN.after) / (STEPS - 1);

const gauss = (t: number, at: number, width: number) => Math.exp(-0.5 * ((t - at) / width) ** 2);

/** A beat window: `qrs` 'narrow' (normal) or 'wide' (ventricular, opposite polarity); `atrial` 'p' (a P wave) or 'f' (fibrillatory noise, seeded). */
export function beatWindow(qrs: 'narrow' | 'wide', atrial: 'p' | 'f' | 'none', seed = 1): Float32Array {
  const random = createRandom(seed);
  const w = new Float32Array(STEPS);
  for (let i = 0; i < STEPS; i++) {
    const t = -SPAN.before + i * DT;
    let v =
      qrs === 'narrow'
        ? gauss(t, 0, 0.012) * 5 - gauss(t, 0.03, 0.01) * 1.5 + gauss(t, 0.28, 0.05)
        : -gauss(t, 0.02, 0.045) * 3 + gauss(t, 0.3, 0.06) * 1.2;
    if (atrial === 'p') v += gauss(t, -0.16, 0.025) * 0.4;
    if (atrial === 'f' && t < -0.05) v += (random.next() - 0.5) * 0.3;
    w[i] = v;
  }
  return w;
}
