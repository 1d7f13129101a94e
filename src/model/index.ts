/**
 * Everything around a trained autoencoder: the model artifact (create, serialize, parse),
 * threshold fitting, and evaluation metrics.
 */
export * from '../contract/artifact';
export * from '../contract/artifact-parse';
export * from './threshold';
export * from './metrics';
export { fitGpd, potQuantile } from './gpd';
export type { GpdFit } from './gpd';
export { canonicalJson } from '../contract/canonical-json';
