import type { AutoencoderConfig } from './config';
import { resolveAutoencoderConfig } from './config';

/** Format tag of a serialized autoencoder. */
export const AUTOENCODER_FORMAT = 'beatwatch-autoencoder';
/** The serialization version this code writes and the only one it reads. */
export const AUTOENCODER_FORMAT_VERSION = 1;

/** A named weight tensor as exchanged with other code (tfjs layout, Float32 values). */
export interface WeightTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A weight tensor in JSON: little-endian Float32 bytes, base64. */
export interface SerializedTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
  base64: string;
}

/** JSON form of a {@link SequenceAutoencoder} (embedded in the model artifact). */
export interface SerializedAutoencoder {
  format: typeof AUTOENCODER_FORMAT;
  formatVersion: typeof AUTOENCODER_FORMAT_VERSION;
  config: AutoencoderConfig;
  weights: SerializedTensor[];
}

/** Encodes Float32 values as base64 of their little-endian bytes (platform-independent). */
export function encodeFloat32Base64(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes.toString('base64');
}

/**
 * Decodes {@link encodeFloat32Base64}'s output, checking it holds exactly `expected` floats;
 * `where` names the field in errors.
 */
export function decodeFloat32Base64(base64: string, expected: number, where: string): Float32Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new TypeError(`${where} is not valid base64`);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== expected * 4)
    throw new RangeError(`${where} holds ${bytes.length} bytes, expected ${expected * 4} (${expected} float32 values)`);
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Builds the JSON form from a config and exported weights. */
export function serializeAutoencoder(config: AutoencoderConfig, weights: readonly WeightTensor[]): SerializedAutoencoder {
  return {
    format: AUTOENCODER_FORMAT,
    formatVersion: AUTOENCODER_FORMAT_VERSION,
    config: { ...config },
    weights: weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32', base64: encodeFloat32Base64(w.values) })),
  };
}

/**
 * Validates a parsed JSON value as a serialized autoencoder and decodes its weights. Every
 * error names the offending field (`weights[3].shape`, `config.hidden`, ...). Shapes are checked
 * against the config later, by `importWeights`.
 */
export function parseSerializedAutoencoder(json: unknown): { config: AutoencoderConfig; weights: WeightTensor[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError('serialized autoencoder must be a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== AUTOENCODER_FORMAT) throw new TypeError(`format must be "${AUTOENCODER_FORMAT}", got ${JSON.stringify(o.format)}`);
  if (o.formatVersion !== AUTOENCODER_FORMAT_VERSION) {
    throw new RangeError(
      `formatVersion ${JSON.stringify(o.formatVersion)} is not supported (this build reads version ${AUTOENCODER_FORMAT_VERSION})`,
    );
  }
  const config = resolveAutoencoderConfig(o.config, 'config');
  if (!Array.isArray(o.weights)) throw new TypeError('weights must be an array');
  const weights = o.weights.map((w: unknown, k: number): WeightTensor => {
    const where = `weights[${k}]`;
    if (typeof w !== 'object' || w === null) throw new TypeError(`${where} must be an object`);
    const t = w as Record<string, unknown>;
    if (typeof t.name !== 'string' || t.name.length === 0) throw new TypeError(`${where}.name must be a non-empty string`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new TypeError(`${where}.shape (${t.name}) must be an array of positive integers`);
    }
    if (t.dtype !== 'float32') throw new TypeError(`${where}.dtype (${t.name}) must be "float32", got ${JSON.stringify(t.dtype)}`);
    if (typeof t.base64 !== 'string') throw new TypeError(`${where}.base64 (${t.name}) must be a string`);
    const shape = t.shape as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    return { name: t.name, shape: [...shape], values: decodeFloat32Base64(t.base64, n, `${where}.base64 (${t.name})`) };
  });
  return { config, weights };
}
