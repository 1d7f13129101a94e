import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CONSOLE_CONFIG_KEY, type ConsoleSiteProperties } from '../contract';

/** The page and its config are small and change with every deployment: browsers revalidate them. */
const CACHE_CONTROL = 'no-cache';

/**
 * Publishes the console's page into its site bucket (docs/ARCHITECTURE.md §3.7): each file copied
 * from its deploy-time asset with its content type, and `config.json` written from the
 * properties CloudFormation resolved (the API path, the Cognito domain and app client, the
 * console's URL). Overwrites: a redeploy publishes the page it ships.
 *
 * @example
 * const { keys } = await publishConsoleSite(s3, event.ResourceProperties);
 */
export async function publishConsoleSite(s3: S3Client, props: ConsoleSiteProperties): Promise<{ keys: string[] }> {
  if (!Array.isArray(props.Files) || props.Files.length === 0) throw new Error('console site properties: Files must list the page files');
  if (props.Config?.mode !== 'cognito' || !props.Config.cognito?.clientId)
    throw new Error('console site properties: Config must be a cognito console config');
  const keys: string[] = [];
  for (const file of props.Files) {
    if (file.Key === CONSOLE_CONFIG_KEY)
      throw new Error(`console site properties: ${CONSOLE_CONFIG_KEY} is written from Config, not copied`);
    let body: Uint8Array;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: file.Source.Bucket, Key: file.Source.Key }));
      body = (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
    } catch (err) {
      throw new Error(`reading s3://${file.Source.Bucket}/${file.Source.Key}: ${(err as Error).message}`, { cause: err });
    }
    await s3.send(
      new PutObjectCommand({
        Bucket: props.BucketName,
        Key: file.Key,
        Body: body,
        ContentType: file.ContentType,
        CacheControl: CACHE_CONTROL,
      }),
    );
    keys.push(file.Key);
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: props.BucketName,
      Key: CONSOLE_CONFIG_KEY,
      Body: JSON.stringify(props.Config),
      ContentType: 'application/json',
      CacheControl: CACHE_CONTROL,
    }),
  );
  keys.push(CONSOLE_CONFIG_KEY);
  return { keys };
}
