/**
 * CloudFormation custom resources of a deployment, one function for both (no extra Lambda):
 *
 * - `Custom::BeatwatchDefaultModel` copies the default model artifact (uploaded by `cdk deploy` as
 *   a file asset) into the data bucket as `models/<version>/model.json` + `report.json`, and writes
 *   `models/current.json` if there is none yet, so detection works from the first record;
 * - `Custom::BeatwatchConsoleSite` publishes the clinician console's page into its site bucket and
 *   writes its `config.json` (`src/aws/console-site.ts`).
 *
 * An existing pointer is never overwritten: after the first deployment it belongs to the
 * retraining job, and a redeploy must not roll a promoted model back. Deleting the resource
 * leaves the objects in place (the bucket is retained with the data).
 *
 * The handler talks to CloudFormation directly (PUT to the pre-signed ResponseURL), which avoids
 * the Provider framework's extra functions.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { publishConsoleSite } from '../src/aws/console-site';
import { artifactVersionOf, seedModel } from '../src/aws/model-store';
import {
  CONSOLE_SITE_RESOURCE_TYPE,
  type ConsoleSiteProperties,
  MODEL_POINTER_KEY,
  MODELS_PREFIX,
  type ObjectSource,
  type SeedProperties,
} from '../src/contract';

export type { ObjectSource, SeedProperties } from '../src/contract';

/** The subset of a CloudFormation custom resource request the handler uses. */
export interface SeedEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** `Custom::BeatwatchDefaultModel` (also when absent) or `Custom::BeatwatchConsoleSite`. */
  readonly ResourceType?: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: SeedProperties;
}

/** A request for the console site resource. */
export interface ConsoleSiteEvent extends Omit<SeedEvent, 'ResourceProperties'> {
  readonly ResourceType: typeof CONSOLE_SITE_RESOURCE_TYPE;
  readonly ResourceProperties: ConsoleSiteProperties;
}

/** What the seeding did; returned to CloudFormation as the resource's attributes. */
export interface SeedResult {
  readonly version: string;
  readonly modelKey: string;
  readonly sha256: string;
  /** True when this run wrote `models/current.json`, false when a pointer already existed. */
  readonly pointerWritten: boolean;
}

async function readText(s3: S3Client, source: ObjectSource): Promise<Buffer> {
  const where = `s3://${source.Bucket}/${source.Key}`;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: source.Bucket, Key: source.Key }));
    if (out.Body === undefined) throw new Error('no body');
    return Buffer.from(await out.Body.transformToByteArray());
  } catch (err) {
    throw new Error(`reading ${where}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the artifact's version, refusing anything that is not a beatwatch model. */
export function artifactVersion(bytes: Buffer, where: string): string {
  return artifactVersionOf(bytes.toString('utf8'), where);
}

/**
 * Copies the artifact and its report under `models/<version>/` and writes the pointer if absent
 * ({@link seedModel}).
 *
 * @example
 * const result = await seedDefaultModel(new S3Client({}), event.ResourceProperties, new Date());
 */
export async function seedDefaultModel(s3: S3Client, props: SeedProperties, now: Date): Promise<SeedResult> {
  // The layout is a contract (src/contract/s3-layout.ts); the properties only restate it, so a
  // stack built from other sources fails loudly instead of seeding where nothing reads.
  if (props.ModelsPrefix !== MODELS_PREFIX || props.PointerKey !== MODEL_POINTER_KEY) {
    throw new Error(`seed properties: expected ModelsPrefix ${MODELS_PREFIX} and PointerKey ${MODEL_POINTER_KEY}`);
  }
  const model = await readText(s3, props.Model);
  artifactVersion(model, `default model artifact s3://${props.Model.Bucket}/${props.Model.Key}`);
  const report = await readText(s3, props.Report);
  const seeded = await seedModel(s3, props.BucketName, model.toString('utf8'), { reportText: report.toString('utf8'), promotedAt: now });
  return { version: seeded.version, modelKey: seeded.key, sha256: seeded.sha256, pointerWritten: seeded.promoted };
}

/** Sends the custom resource's outcome to CloudFormation's pre-signed URL. */
export async function respond(
  event: SeedEvent,
  status: 'SUCCESS' | 'FAILED',
  physicalId: string,
  reason: string,
  data: Record<string, string>,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  // The pre-signed URL is signed without a content type: sending one would break the signature.
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation response rejected: HTTP ${res.status}`);
}

/**
 * The S3 client of the Lambda. In AWS the SDK defaults apply; when an endpoint override is set
 * (`AWS_ENDPOINT_URL_S3`, as in the bundle test against the local emulator) it uses path-style
 * addressing and checksums only where required, which S3-compatible endpoints need.
 */
export function s3ClientFromEnvironment(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint === undefined) return new S3Client({});
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

let s3Client: S3Client | undefined;

/** The console site: published on create and update; on delete the bucket is retained with its files. */
async function handleConsoleSite(event: ConsoleSiteEvent): Promise<void> {
  const physicalId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-console-site`;
  if (event.RequestType === 'Delete') {
    await respond(event as unknown as SeedEvent, 'SUCCESS', physicalId, 'the site bucket is retained', {});
    return;
  }
  try {
    s3Client ??= s3ClientFromEnvironment();
    const { keys } = await publishConsoleSite(s3Client, event.ResourceProperties);
    console.log(JSON.stringify({ message: 'console site published', files: keys.length }));
    await respond(event as unknown as SeedEvent, 'SUCCESS', physicalId, 'published', { Files: keys.join(',') });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ message: 'console site publishing failed', reason }));
    await respond(event as unknown as SeedEvent, 'FAILED', physicalId, reason.slice(0, 1000), {});
  }
}

/** Lambda entry point of the custom resources. */
export async function handler(event: SeedEvent | ConsoleSiteEvent): Promise<void> {
  if (event.ResourceType === CONSOLE_SITE_RESOURCE_TYPE) return handleConsoleSite(event as ConsoleSiteEvent);
  return handleDefaultModel(event as SeedEvent);
}

async function handleDefaultModel(event: SeedEvent): Promise<void> {
  const fallbackId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-default-model`;
  if (event.RequestType === 'Delete') {
    await respond(event, 'SUCCESS', fallbackId, 'models are retained with the bucket', {});
    return;
  }
  try {
    s3Client ??= s3ClientFromEnvironment();
    const result = await seedDefaultModel(s3Client, event.ResourceProperties, new Date());
    console.log(JSON.stringify({ message: 'default model seeded', version: result.version, pointerWritten: result.pointerWritten }));
    await respond(event, 'SUCCESS', result.modelKey, 'seeded', {
      Version: result.version,
      ModelKey: result.modelKey,
      Sha256: result.sha256,
      PointerWritten: String(result.pointerWritten),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ message: 'default model seeding failed', reason }));
    await respond(event, 'FAILED', fallbackId, reason.slice(0, 1000), {});
  }
}
