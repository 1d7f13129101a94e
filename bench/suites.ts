import type { BenchSuite } from './suite';

/** Every benchmark `npm run bench` runs, in order. Loaded lazily: each pulls in its peers. */
export const SUITES: Record<string, () => Promise<{ default: BenchSuite }>> = {
  nn: () => import('./nn'),
  ecg: () => import('./ecg'),
  transport: () => import('./transport'),
  pipeline: () => import('./pipeline'),
  'lambda-cost': () => import('./lambda-cost'),
  wire: () => import('./wire'),
  cost: () => import('./cost'),
};
