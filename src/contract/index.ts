/**
 * The contracts every other layer agrees on: wire format v1, the S3 layout, the model pointer,
 * the model artifact, ids, Lambda environment names, metric names. Pure: no AWS SDK.
 */
export * from './artifact';
export * from './artifact-parse';
export { canonicalJson } from './canonical-json';
export * from './ids';
export * from './model-pointer';
export * from './lambda-env';
export * from './cloudwatch';
export * from './signal-lost';
