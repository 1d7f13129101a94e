import { describe, expect, it } from 'vitest';
import { CELL_KINDS } from '../../src/nn/cell';
import { cellOf } from '../../src/nn/cells';
import { RecurrentLayer } from '../../src/nn/recurrent-layer';
import { createRandom } from '../../src/random';
import type { Param } from '../../src/nn/tensor';
import { sizeOf } from '../../src/nn/tensor';
import { numericGradient, relativeError } from './gradcheck';

/** A layer with random Float64 weights and a fixed random linear read-out of every h(t). */
function harness(kind: (typeof CELL_KINDS)[number], constantInput: boolean) {
  const cell = cellOf(kind);
  const T = 6;
  const B = 3;
  const I = 2;
  const H = 4;
  const rng = createRandom(11);
  const params: Param[] = RecurrentLayer.specs(cell, 'layer', I, H).map((s) => {
    const value = new Float64Array(sizeOf(s.shape));
    for (let i = 0; i < value.length; i++) value[i] = 0.6 * rng.normal();
    // Stored and compute values are the same Float64 array, so perturbations reach the math.
    return { name: s.name, shape: s.shape, value, data: value, grad: new Float64Array(value.length) };
  });
  const layer = new RecurrentLayer(cell, I, H, params);
  layer.syncDerived();
  const x = new Float64Array((constantInput ? B : T * B) * I);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const readout = new Float64Array(T * B * H);
  for (let i = 0; i < readout.length; i++) readout[i] = rng.normal();
  const ws = layer.createTrainWorkspace(B, T, constantInput);
  const loss = (): number => {
    layer.forwardSequence(ws, B, T, x, 0, constantInput);
    let s = 0;
    // h(1..T) live in slots 1..T of ws.hs; the read-out weights each one.
    for (let n = 0; n < T * B * H; n++) s += ws.hs[B * H + n] * readout[n];
    return s;
  };
  const analytic = (): void => {
    for (const p of params) p.grad.fill(0);
    loss();
    layer.backwardSequence(ws, B, T, x, 0, constantInput, readout, true);
  };
  return { layer, params, x, ws, loss, analytic };
}

describe('recurrent cells: finite-difference gradient checks (Float64)', () => {
  for (const kind of CELL_KINDS) {
    for (const constantInput of [false, true]) {
      it(`${kind}, ${constantInput ? 'constant (repeated) input' : 'per-step input'}: every parameter tensor and the input`, () => {
        const h = harness(kind, constantInput);
        h.analytic();
        for (const p of h.params) {
          const numeric = numericGradient(p.value as Float64Array, h.loss, 1e-5, () => h.layer.syncDerived());
          const err = relativeError(p.grad, numeric);
          expect(err, `${kind} ${p.name}`).toBeLessThan(1e-6);
          expect(Math.max(...Array.from(numeric, Math.abs)), `${p.name} gradient is not trivially zero`).toBeGreaterThan(1e-3);
        }
        const dx = Float64Array.from(h.ws.dx.subarray(0, h.x.length));
        const numeric = numericGradient(h.x, h.loss, 1e-5);
        expect(relativeError(dx, numeric), `${kind} input gradient`).toBeLessThan(1e-6);
      });
    }
  }
});
