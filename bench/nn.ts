import { fileURLToPath } from 'node:url';
import { readUcr } from '../src/ecg';
import type { BenchSuite } from './suite';
import {
  FULL_MEASURE,
  QUICK_MEASURE,
  figuresOfRounds,
  measureRounds,
  forwardFlopPerWindow,
  medianRatio,
  stackedLstmFlopPerWindow,
  type PeerFigures,
  type RoundFigures,
} from './nn-measure';
import { oursWorkload } from './nn-ours';
import { brainjsNote, brainjsWorkload } from './nn-brainjs';
import { measureTfjs } from './nn-tfjs';

/** Benchmark shape: ECG5000's T and the engine's default hidden size. */
export const BENCH_STEPS = 140;
export const BENCH_HIDDEN = 32;

const BUNDLED_WINDOWS = new URL('../data/ecg5000/ECG5000_TRAIN.txt', import.meta.url);

type Figures = Record<'inferB1' | 'inferB256' | 'trainB64', number>;

/**
 * Effective GFLOP/s: forward FLOP per window × windows/s. Training counts forward + backward as
 * 3 × forward (the usual convention: the backward pass costs about twice the forward).
 */
function gflops(f: Figures, flop: number): Figures {
  return { inferB1: (f.inferB1 * flop) / 1e9, inferB256: (f.inferB256 * flop) / 1e9, trainB64: (f.trainB64 * 3 * flop) / 1e9 };
}

function ratio(a: Figures, b: Figures): Figures {
  return { inferB1: a.inferB1 / b.inferB1, inferB256: a.inferB256 / b.inferB256, trainB64: a.trainB64 / b.trainB64 };
}

const pick = (p: PeerFigures): Figures => ({ inferB1: p.inferB1, inferB256: p.inferB256, trainB64: p.trainB64 });

function table(rows: [string, Figures, Figures][]): string {
  const head = `${'implementation'.padEnd(26)}${'infer b1 w/s'.padStart(14)}${'infer b256 w/s'.padStart(16)}${'train b64 w/s'.padStart(15)}   GFLOP/s (b1 / b256 / train)`;
  const body = rows.map(
    ([name, f, g]) =>
      `${name.padEnd(26)}${f.inferB1.toFixed(1).padStart(14)}${f.inferB256.toFixed(1).padStart(16)}${f.trainB64.toFixed(1).padStart(15)}   ${g.inferB1.toFixed(3)} / ${g.inferB256.toFixed(3)} / ${g.trainB64.toFixed(3)}`,
  );
  return [head, ...body].join('\n');
}

/**
 * `nn`: our LSTM autoencoder against brain.js (LSTMTimeStep) and TF.js (CPU and WASM backends)
 * on one thread, T = 140, H = 32, real ECG5000 beats as inputs.
 *
 * brain.js is measured twice: with two LSTM layers of H, the autoencoder's shape and FLOP count
 * (the ratios `vsBrainjs`), and with one (`vsBrainjsOneLayer`), which does a third of the work.
 */
const suite: BenchSuite = {
  name: 'nn',
  description: `LSTM autoencoder T=${BENCH_STEPS} H=${BENCH_HIDDEN}, one thread: ours vs brain.js vs TF.js (cpu, wasm)`,
  async run({ quick }) {
    const measure = quick ? QUICK_MEASURE : FULL_MEASURE;
    const { data, rows, length } = await readUcr(fileURLToPath(BUNDLED_WINDOWS));
    if (length !== BENCH_STEPS) throw new Error(`bench nn: bundled windows have ${length} samples, expected ${BENCH_STEPS}`);
    const say = (m: string) => process.stderr.write(`${m}\n`);
    say(`nn: ours and brain.js (2 layers and 1), alternating (${measure.rounds} round${measure.rounds === 1 ? '' : 's'})...`);
    const oursLoad = oursWorkload(data, rows, BENCH_STEPS, BENCH_HIDDEN);
    const rounds = await measureRounds(
      {
        ours: oursLoad,
        brainjs: brainjsWorkload(data, rows, BENCH_STEPS, BENCH_HIDDEN, 2),
        brainjsOneLayer: brainjsWorkload(data, rows, BENCH_STEPS, BENCH_HIDDEN, 1),
      },
      measure,
    );
    const ours = { ...figuresOfRounds(rounds.ours), params: oursLoad.params };
    const brainjs = figuresOfRounds(rounds.brainjs, brainjsNote(2));
    const brainjsOneLayer = figuresOfRounds(rounds.brainjsOneLayer, brainjsNote(1));
    say('nn: TF.js cpu...');
    const tfjsCpu = await measureTfjs('cpu', data, rows, BENCH_STEPS, BENCH_HIDDEN, measure);
    say('nn: TF.js wasm...');
    const tfjsWasm = await measureTfjs('wasm', data, rows, BENCH_STEPS, BENCH_HIDDEN, measure);

    const flop = forwardFlopPerWindow(BENCH_STEPS, BENCH_HIDDEN);
    const peers: [string, PeerFigures, number][] = [
      ['ours', ours, flop],
      ['brain.js LSTMTimeStep 2x32', brainjs, stackedLstmFlopPerWindow(BENCH_STEPS, BENCH_HIDDEN, 2)],
      ['brain.js LSTMTimeStep 1x32', brainjsOneLayer, stackedLstmFlopPerWindow(BENCH_STEPS, BENCH_HIDDEN, 1)],
      ['TF.js cpu', tfjsCpu, flop],
      ['TF.js wasm', tfjsWasm, flop],
    ];
    const perPeer = Object.fromEntries(peers.map(([name, p, f]) => [name, gflops(pick(p), f)]));
    say(table(peers.map(([name, p]) => [name, pick(p), perPeer[name]])));
    // Against brain.js: the median of the per-round ratios (both measured back to back).
    const sameRound =
      (m: 'wall' | 'cpu') =>
      (a: RoundFigures, b: RoundFigures): Figures => ({
        inferB1: medianRatio(a.inferB1, b.inferB1)[m],
        inferB256: medianRatio(a.inferB256, b.inferB256)[m],
        trainB64: medianRatio(a.trainB64, b.trainB64)[m],
      });
    const ratios = {
      vsBrainjs: sameRound('wall')(rounds.ours, rounds.brainjs),
      vsBrainjsOneLayer: sameRound('wall')(rounds.ours, rounds.brainjsOneLayer),
      vsTfjsCpu: ratio(pick(ours), pick(tfjsCpu)),
      vsTfjsWasm: ratio(pick(ours), pick(tfjsWasm)),
    };
    // The same ratios per CPU second: what they would be on an idle machine.
    const cpuRatios = {
      vsBrainjs: sameRound('cpu')(rounds.ours, rounds.brainjs),
      vsBrainjsOneLayer: sameRound('cpu')(rounds.ours, rounds.brainjsOneLayer),
      vsTfjsCpu: ratio(ours.perCpuSecond, tfjsCpu.perCpuSecond),
      vsTfjsWasm: ratio(ours.perCpuSecond, tfjsWasm.perCpuSecond),
    };
    say(
      `ours / brain.js 1 layer: b1 ${ratios.vsBrainjsOneLayer.inferB1.toFixed(1)}x  b256 ${ratios.vsBrainjsOneLayer.inferB256.toFixed(1)}x  train ${ratios.vsBrainjsOneLayer.trainB64.toFixed(1)}x`,
    );
    say(
      `ours / brain.js 2 layers: b1 ${ratios.vsBrainjs.inferB1.toFixed(1)}x  b256 ${ratios.vsBrainjs.inferB256.toFixed(1)}x  train ${ratios.vsBrainjs.trainB64.toFixed(1)}x`,
    );
    say(
      `ours / TF.js wasm: b1 ${ratios.vsTfjsWasm.inferB1.toFixed(1)}x  b256 ${ratios.vsTfjsWasm.inferB256.toFixed(1)}x  train ${ratios.vsTfjsWasm.trainB64.toFixed(1)}x`,
    );
    say(
      `per CPU second: ours b1 ${ours.perCpuSecond.inferB1.toFixed(0)}  b256 ${ours.perCpuSecond.inferB256.toFixed(0)}  train ${ours.perCpuSecond.trainB64.toFixed(0)} w/s; vs brain.js b1 ${cpuRatios.vsBrainjs.inferB1.toFixed(1)}x, vs TF.js wasm b1 ${cpuRatios.vsTfjsWasm.inferB1.toFixed(1)}x`,
    );
    return {
      steps: BENCH_STEPS,
      hidden: BENCH_HIDDEN,
      flopPerWindowForward: flop,
      quick,
      ours,
      brainjs,
      brainjsOneLayer,
      tfjsCpu,
      tfjsWasm,
      ratios,
      cpuRatios,
      gflops: {
        ours: perPeer.ours,
        brainjs: perPeer['brain.js LSTMTimeStep 2x32'],
        brainjsOneLayer: perPeer['brain.js LSTMTimeStep 1x32'],
        tfjsCpu: perPeer['TF.js cpu'],
        tfjsWasm: perPeer['TF.js wasm'],
      },
    };
  },
};
export default suite;
