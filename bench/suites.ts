import type { BenchSuite } from './suite';

/** Every benchmark of `npm run bench`, in order. Loaded lazily: each pulls in its peers. */
export const SUITES: Record<string, () => Promise<{ default: BenchSuite }>> = {
  nn: () => import('./nn'),
  ecg: () => import('./ecg'),
  transport: () => import('./transport'),
  pipeline: () => import('./pipeline'),
  'lambda-cost': () => import('./lambda-cost'),
  wire: () => import('./wire'),
  cost: () => import('./cost'),
  load: () => import('./load'),
};

/** Suites run only when named with `--only` (minutes of load, not part of the usual bench run). */
export const ON_REQUEST: ReadonlySet<string> = new Set(['load']);
