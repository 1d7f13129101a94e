import { describe, expect, it } from 'vitest';
import { SequenceAutoencoder } from '../../src/nn/autoencoder';
import { AUTOENCODER_FORMAT_VERSION, decodeFloat32Base64, encodeFloat32Base64 } from '../../src/nn/serialize';
import { createRandom } from '../../src/random';

function model(cell: 'lstm' | 'peephole' | 'gru' | 'rnn' = 'peephole') {
  const m = SequenceAutoencoder.create({ steps: 16, hidden: 6, latent: 4, cell, encoderLayers: 2 }, { seed: 8 });
  // Non-trivial values everywhere (peepholes start at 0).
  const rng = createRandom(1);
  for (let i = 0; i < m.net.values.length; i++) m.net.values[i] = rng.normal();
  m.net.syncDerived();
  return m;
}

const json = (m: SequenceAutoencoder): Record<string, unknown> => JSON.parse(JSON.stringify(m.toJSON()));

describe('serialization', () => {
  it('round-trips through JSON text exactly (weights and scores, every cell)', () => {
    for (const cell of ['lstm', 'peephole', 'gru', 'rnn'] as const) {
      const m = model(cell);
      const back = SequenceAutoencoder.fromJSON(json(m));
      expect(back.config).toEqual(m.config);
      expect(back.exportWeights()).toEqual(m.exportWeights());
      const w = new Float32Array(5 * 16).map((_, i) => Math.sin(i / 3));
      expect(back.score(w, 5)).toEqual(m.score(w, 5));
    }
  });

  it('encodes base64 as little-endian float32, including special values', () => {
    const v = Float32Array.of(1, -2.5, 3.4028234663852886e38, 1.401298464324817e-45, -0);
    expect(encodeFloat32Base64(Float32Array.of(1))).toBe('AACAPw==');
    expect(Object.is(decodeFloat32Base64(encodeFloat32Base64(v), 5, 'x')[4], -0)).toBe(true);
    expect(decodeFloat32Base64(encodeFloat32Base64(v), 5, 'x')).toEqual(v);
  });

  it('rejects an unknown format version', () => {
    const j = json(model());
    j.formatVersion = AUTOENCODER_FORMAT_VERSION + 1;
    expect(() => SequenceAutoencoder.fromJSON(j)).toThrow(/formatVersion 2 is not supported \(this build reads version 1\)/);
  });

  it('rejects a different format, a non-object, bad config fields', () => {
    expect(() => SequenceAutoencoder.fromJSON({ ...json(model()), format: 'other' })).toThrow(/format must be "beatwatch-autoencoder"/);
    expect(() => SequenceAutoencoder.fromJSON(null)).toThrow(/must be a JSON object/);
    const j = json(model());
    (j.config as Record<string, unknown>).hidden = 0;
    expect(() => SequenceAutoencoder.fromJSON(j)).toThrow(/config\.hidden must be an integer/);
    const k = json(model());
    (k.config as Record<string, unknown>).cell = 'transformer';
    expect(() => SequenceAutoencoder.fromJSON(k)).toThrow(/config\.cell must be one of lstm, peephole, gru, rnn/);
    const extra = json(model());
    (extra.config as Record<string, unknown>).dropout = 0.1;
    expect(() => SequenceAutoencoder.fromJSON(extra)).toThrow(/config\.dropout is not a config field/);
  });

  it('rejects corrupt or truncated weights, naming the tensor', () => {
    const j = json(model());
    const weights = j.weights as Record<string, unknown>[];
    weights[1].base64 = (weights[1].base64 as string).slice(0, 8);
    expect(() => SequenceAutoencoder.fromJSON(j)).toThrow(
      /weights\[1\]\.base64 \(encoder_0\/recurrent_kernel\) holds 6 bytes, expected 576/,
    );
    const k = json(model());
    (k.weights as Record<string, unknown>[])[0].base64 = '!!!notbase64';
    expect(() => SequenceAutoencoder.fromJSON(k)).toThrow(/weights\[0\]\.base64 \(encoder_0\/kernel\) is not valid base64/);
    const nan = json(model());
    (nan.weights as Record<string, unknown>[])[2].base64 = encodeFloat32Base64(new Float32Array(24).fill(NaN));
    expect(() => SequenceAutoencoder.fromJSON(nan)).toThrow(/"encoder_0\/bias": value 0 is not finite/);
  });

  it('rejects shapes, names and tensor sets that do not match the architecture', () => {
    const shape = json(model());
    const w0 = (shape.weights as Record<string, unknown>[])[0];
    w0.shape = [24, 1];
    expect(() => SequenceAutoencoder.fromJSON(shape)).toThrow(/weights\[0\] "encoder_0\/kernel": shape \[24, 1\] does not match \[1, 24\]/);
    const unknown = json(model());
    (unknown.weights as Record<string, unknown>[])[0].name = 'encoder_9/kernel';
    expect(() => SequenceAutoencoder.fromJSON(unknown)).toThrow(/unknown tensor "encoder_9\/kernel"/);
    const missing = json(model());
    (missing.weights as unknown[]).pop();
    expect(() => SequenceAutoencoder.fromJSON(missing)).toThrow(/missing tensor\(s\) output\/bias/);
    const dup = json(model());
    (dup.weights as unknown[]).push((dup.weights as unknown[])[0]);
    expect(() => SequenceAutoencoder.fromJSON(dup)).toThrow(/appears twice/);
  });

  it('names exported tensors in a stable tfjs-like order', () => {
    expect(
      model('lstm')
        .exportWeights()
        .map((t) => `${t.name}:${t.shape.join('x')}`),
    ).toEqual([
      'encoder_0/kernel:1x24',
      'encoder_0/recurrent_kernel:6x24',
      'encoder_0/bias:24',
      'encoder_1/kernel:6x24',
      'encoder_1/recurrent_kernel:6x24',
      'encoder_1/bias:24',
      'latent/kernel:6x4',
      'latent/bias:4',
      'decoder_0/kernel:4x24',
      'decoder_0/recurrent_kernel:6x24',
      'decoder_0/bias:24',
      'output/kernel:6x1',
      'output/bias:1',
    ]);
  });
});
