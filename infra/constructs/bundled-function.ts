import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../managed-policy-role';

/** esbuild target matching the Lambda runtime below. */
export const BUNDLE_TARGET = 'node24';

/** Options of {@link BundledFunction}. */
export interface BundledFunctionProps {
  /** Absolute path of the TypeScript entry file (exports `handler`). */
  readonly entry: string;
  /** Directory with package-lock.json (the project root). */
  readonly projectRoot: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly key: kms.IKey;
  readonly logRetentionDays: number;
  readonly reservedConcurrency?: number;
  /** Queue for failed asynchronous invocations, for functions invoked asynchronously. */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A Lambda function bundled locally by esbuild from a TypeScript entry (no Docker), on arm64 and
 * `nodejs24.x`, with its own role and its own encrypted log group.
 *
 * The role starts empty (no AWS managed policy): it can write to its log group and nothing else
 * until resources grant it access, so every permission of the function is visible at its grant.
 * The AWS SDK is bundled rather than taken from the runtime, so the code runs in AWS with exactly
 * the SDK versions of package-lock.json that the tests ran with.
 */
export class BundledFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `beatwatch: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      environmentEncryption: props.key,
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterQueue: props.deadLetterQueue,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_TARGET,
        bundleAwsSDK: true,
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require(); an ESM bundle has no require of its own.
        banner: "import { createRequire as __bwCreateRequire } from 'node:module'; const require = __bwCreateRequire(import.meta.url);",
      },
    });
  }
}
