import { describe, expect, it } from 'vitest';
import { DeviceRegistry, type DeviceRegistryJson } from '../../src/detect/device-registry';
import { spikeSegmenters } from './fakes';

const record = (seq: number, samples: number[], t0 = 5000 + seq * 1000) => ({
  deviceId: 'x',
  seq,
  t0,
  fs: 10,
  samples: Float32Array.from(samples),
});

describe('DeviceRegistry', () => {
  it('keeps at most maxDevices, dropping the least recently used', () => {
    const registry = new DeviceRegistry(spikeSegmenters, { maxDevices: 2 });
    registry.get('a');
    registry.get('b');
    registry.get('a'); // a is now the most recent
    registry.get('c');
    expect(registry.has('a')).toBe(true);
    expect(registry.has('b')).toBe(false);
    expect(registry.has('c')).toBe(true);
    expect(registry.size).toBe(2);
    expect(registry.evictions).toBe(1);
  });

  it('round-trips through JSON and continues identically', () => {
    const registry = new DeviceRegistry(spikeSegmenters);
    const state = registry.get('a');
    state.admit(record(0, [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    registry.markPublished('a', 5100);
    const json = JSON.parse(JSON.stringify(registry.toJSON())) as DeviceRegistryJson;
    const copy = DeviceRegistry.fromJSON(json, spikeSegmenters);
    const next = record(1, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(copy.get('a').admit(next)).toEqual(registry.get('a').admit(next));
    expect(copy.publishedThrough('a')).toBe(5100);
    expect(copy.publishedThrough('never')).toBe(-Infinity);
  });

  it('restores a snapshot, and a null snapshot forgets the device', () => {
    const registry = new DeviceRegistry(spikeSegmenters);
    registry.get('a').admit(record(0, [0]));
    const snap = registry.snapshot('a');
    registry.get('a').admit(record(1, [1]));
    registry.restore('a', snap);
    expect(registry.get('a').lastSeq).toBe(0);
    registry.restore('a', null);
    expect(registry.has('a')).toBe(false);
  });
});

describe('DeviceState.admit', () => {
  it('classifies records: first at seq 0 continues, duplicate, gap and a first record mid-stream restart', () => {
    const registry = new DeviceRegistry(spikeSegmenters);
    const s = registry.get('a');
    expect(s.admit(record(0, [0])).admission).toBe('continued');
    expect(s.admit(record(1, [0])).admission).toBe('continued');
    expect(s.admit(record(1, [0])).admission).toBe('duplicate');
    expect(s.admit(record(3, [0])).admission).toBe('restarted');
    expect(registry.get('b').admit(record(7, [0])).admission).toBe('restarted');
    expect(s.admit({ ...record(4, [0]), fs: 20 }).admission).toBe('restarted');
  });

  it('places a beat by the record it lies in, even when emitted records later', () => {
    const registry = new DeviceRegistry(spikeSegmenters);
    const s = registry.get('a');
    s.admit(record(0, [0, 0, 0, 0, 0]));
    s.admit(record(1, [0, 0, 0, 0, 0], 99_000)); // the device clock jumped: trust each record's t0
    expect(s.timeOf(2)).toBe(5200);
    expect(s.timeOf(7)).toBe(99_200);
  });
});
