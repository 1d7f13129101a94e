/**
 * Properties of the deploy-time custom resource that seeds the default model: infra/ sets them
 * (constructs/default-model.ts), functions/seed-default-model.ts reads them.
 */

/** Where the handler reads an object from (the CDK asset bucket). */
export interface ObjectSource {
  readonly Bucket: string;
  readonly Key: string;
}

/** Properties of the custom resource, as set by the DefaultModel construct. */
export interface SeedProperties {
  readonly BucketName: string;
  readonly ModelsPrefix: string;
  readonly PointerKey: string;
  readonly Model: ObjectSource;
  readonly Report: ObjectSource;
}
