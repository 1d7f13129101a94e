/**
 * Everything around a trained autoencoder: the model artifact (create, serialize, parse),
 * threshold fitting, and evaluation metrics.
 */
export * from './artifact';
export * from './artifact-parse';
export * from './threshold';
export * from './metrics';
export { fitGpd, potQuantile } from './gpd';
export type { GpdFit } from './gpd';
export { canonicalJson } from './canonical-json';
