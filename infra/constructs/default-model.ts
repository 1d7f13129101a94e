import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type SeedProperties, MODEL_POINTER_KEY } from '../../src/contract';
import { grantReadPrefix, grantWritePrefix } from '../grants';
import { BundledFunction } from './bundled-function';
import { PREFIX } from './storage';

/** Memory of the seeding function: it holds one artifact (a few hundred KB) in memory. */
export const SEED_MEMORY_MB = 256;
/** Timeout of the seeding function: two small gets and three puts. */
export const SEED_TIMEOUT_SECONDS = 60;
/**
 * How long CloudFormation waits for the seeding function's answer (its default is an hour): a
 * function that dies before answering then fails the deployment in minutes.
 */
export const SEED_SERVICE_TIMEOUT_SECONDS = 300;

/** Options of {@link DefaultModel}. */
export interface DefaultModelProps {
  /** Directory with `model.json` and `report.json`. */
  readonly artifactDir: string;
  /** The custom resource handler's entry file. */
  readonly handlerEntry: string;
  readonly projectRoot: string;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly logRetentionDays: number;
}

/**
 * Ships the default model with the stack: `cdk deploy` uploads `model.json` and `report.json` as
 * file assets, and a custom resource copies them to `models/<version>/` and writes
 * `models/current.json` if absent (see `functions/seed-default-model.ts`).
 *
 * Why not `BucketDeployment`: it brings a Python function and a 22 MB AWS CLI layer into a stack
 * that is otherwise all Node, and it cannot compute the pointer's sha256 or leave an existing
 * pointer alone. Why not putting the artifact in the custom resource's properties: a model of a
 * few hundred KB would bloat the template toward CloudFormation's 1 MB limit and the invocation
 * payload limit.
 */
export class DefaultModel extends Construct {
  readonly resource: CustomResource;
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: DefaultModelProps) {
    super(scope, id);
    const modelPath = path.join(props.artifactDir, 'model.json');
    const reportPath = path.join(props.artifactDir, 'report.json');
    for (const file of [modelPath, reportPath]) {
      if (!existsSync(file)) throw new Error(`default model: ${file} not found (the stack ships it to models/ at deploy time)`);
    }
    const model = new assets.Asset(this, 'ModelAsset', { path: modelPath });
    const report = new assets.Asset(this, 'ReportAsset', { path: reportPath });

    this.function = new BundledFunction(this, 'Seed', {
      entry: props.handlerEntry,
      projectRoot: props.projectRoot,
      description: 'beatwatch: copies the default model to models/ and writes the pointer if absent',
      memoryMb: SEED_MEMORY_MB,
      timeout: Duration.seconds(SEED_TIMEOUT_SECONDS),
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      environment: {},
    });
    const fn = this.function.fn;
    // Read exactly the two asset objects, nothing else in the bootstrap bucket.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:GetObject'],
      resourceArns: [model.bucket.arnForObjects(model.s3ObjectKey), report.bucket.arnForObjects(report.s3ObjectKey)],
    });
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.models);
    grantWritePrefix(fn, props.bucket, props.key, PREFIX.models);

    const properties: SeedProperties = {
      BucketName: props.bucket.bucketName,
      ModelsPrefix: PREFIX.models,
      PointerKey: MODEL_POINTER_KEY,
      Model: { Bucket: model.s3BucketName, Key: model.s3ObjectKey },
      Report: { Bucket: report.s3BucketName, Key: report.s3ObjectKey },
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::BeatwatchDefaultModel',
      serviceTimeout: Duration.seconds(SEED_SERVICE_TIMEOUT_SECONDS),
      properties: { ...properties },
    });
    // The function must be able to read and write before CloudFormation invokes it.
    this.resource.node.addDependency(this.function.role);
  }
}
