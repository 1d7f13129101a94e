import { Aws, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { CONSOLE_CONFIG_KEY, CONSOLE_SITE_RESOURCE_TYPE, type CognitoConsoleConfig, type ConsoleSiteProperties } from '../../src/contract';
import { consoleSiteFiles } from '../console-site-files';

/** How long CloudFormation waits for the publishing function (a few small copies). */
const PUBLISH_SERVICE_TIMEOUT_SECONDS = 300;

/**
 * An S3 origin read through origin access control. CDK's `S3BucketOrigin.withOriginAccessControl`
 * would also add a key policy statement for every distribution of the account; this one leaves
 * the key policy to {@link ConsoleSite}, which scopes it to the site bucket.
 */
class OacBucketOrigin extends cloudfront.OriginBase {
  constructor(
    bucket: s3.IBucket,
    private readonly oacId: string,
  ) {
    super(bucket.bucketRegionalDomainName);
  }

  protected override renderS3OriginConfig(): cloudfront.CfnDistribution.S3OriginConfigProperty {
    // No origin access identity: OAC signs the requests instead.
    return { originAccessIdentity: '' };
  }

  override bind(scope: Construct, options: cloudfront.OriginBindOptions): cloudfront.OriginBindConfig {
    const config = super.bind(scope, options);
    return {
      ...config,
      originProperty: { ...(config.originProperty as cloudfront.CfnDistribution.OriginProperty), originAccessControlId: this.oacId },
    };
  }
}

/** Options of {@link ConsoleSite}. */
export interface ConsoleSiteProps {
  /** The data key: the site bucket is encrypted with it, and only this distribution's reads of this bucket may use it. */
  readonly key: kms.Key;
  /** Where the bucket's server access logs and the distribution's logs go. */
  readonly logBucket: s3.IBucket;
  /** The console API: the distribution serves it under `/api/*`, so the page and the API share one origin. */
  readonly api: apigw.IHttpApi;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, the one other origin the page talks to (the token endpoint). */
  readonly cognitoDomain: string;
}

/**
 * The console page served privately over TLS (docs/ARCHITECTURE.md §3.7): a private S3 bucket,
 * SSE-KMS with the data key, read only by one CloudFront distribution through origin access
 * control (OAC); the same distribution routes `/api/*` to the console API, so the page needs no
 * CORS and its content security policy allows scripts and connections to its own origin (and
 * Cognito's token endpoint) only.
 *
 * The key policy and the cycle it would make: OAC reads of an SSE-KMS bucket need the key to
 * allow `cloudfront.amazonaws.com` `kms:Decrypt`. Naming this distribution in the key policy would
 * make the key depend on the distribution, which depends on the bucket, which depends on the key.
 * So the statement is scoped without naming it: any distribution of this account
 * (`AWS:SourceArn`), and only for objects of this bucket (the S3 encryption context
 * `aws:s3:arn`, known before the bucket exists because its name is derived from the stack id).
 * The bucket policy, a separate resource, names this distribution exactly; another distribution
 * of the account cannot read the bucket, so cannot use the key either.
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>/`: the console's URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Unique per stack (CloudFormation's stack id ends in a UUID) and known without the bucket itself.
    const bucketName = Fn.join('', ['beatwatch-console-', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    const bucketArn = Fn.join('', ['arn:', Aws.PARTITION, ':s3:::', bucketName]);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console-site/',
      // Only the page's three files, republished by every deployment; kept like the other buckets.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'old-versions', noncurrentVersionExpiration: Duration.days(30) }],
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConsoleDistributionToReadTheSiteBucket',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'AWS:SourceArn': `arn:${stack.partition}:cloudfront::${stack.account}:distribution/*` },
          // With a bucket key the context is the bucket's ARN, without one the object's.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, Fn.join('', [bucketArn, '/*'])] },
        },
      }),
    );

    const csp = Fn.join('', [
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ",
      props.cognitoDomain,
      "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    ]);
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'beatwatch console: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const oac = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'beatwatch console: CloudFront signs its reads of the site bucket',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    // `https://<id>.execute-api.<region>.<suffix>` -> its host.
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'beatwatch clinician console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'console-cdn/',
      defaultBehavior: {
        origin: new OacBucketOrigin(this.bucket, oac.originAccessControlId),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Three small files that change with each deployment: always revalidated.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: this.headers,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(apiHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Every viewer header (the Authorization bearer token among them) but Host, which API Gateway must see as its own.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConsoleDistributionOnly',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': `arn:${stack.partition}:cloudfront::${stack.account}:distribution/${this.distribution.distributionId}`,
          },
        },
      }),
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }

  /**
   * Publishes the page at deploy time with the stack's deploy-time function (no function of its
   * own): `index.html` and the bundled `app.js` from file assets, and `config.json` from `config`,
   * whose values CloudFormation resolves. The function may read exactly those assets and write
   * exactly those three objects.
   */
  publish(
    seeder: { readonly fn: lambda.IFunction; readonly role: iam.IRole },
    config: CognitoConsoleConfig,
    projectRoot: string,
  ): CustomResource {
    const files = consoleSiteFiles(projectRoot).map((f) => ({ ...f, asset: new assets.Asset(this, `File-${f.key}`, { path: f.path }) }));
    iam.Grant.addToPrincipal({
      grantee: seeder.role,
      actions: ['s3:GetObject'],
      resourceArns: files.map((f) => f.asset.bucket.arnForObjects(f.asset.s3ObjectKey)),
    });
    iam.Grant.addToPrincipal({
      grantee: seeder.role,
      actions: ['s3:PutObject'],
      resourceArns: [...files.map((f) => this.bucket.arnForObjects(f.key)), this.bucket.arnForObjects(CONSOLE_CONFIG_KEY)],
    });
    this.bucket.encryptionKey?.grant(seeder.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    const properties: ConsoleSiteProperties = {
      BucketName: this.bucket.bucketName,
      Files: files.map((f) => ({
        Key: f.key,
        ContentType: f.contentType,
        Source: { Bucket: f.asset.s3BucketName, Key: f.asset.s3ObjectKey },
      })),
      Config: config,
    };
    const resource = new CustomResource(this, 'Publish', {
      serviceToken: seeder.fn.functionArn,
      resourceType: CONSOLE_SITE_RESOURCE_TYPE,
      serviceTimeout: Duration.seconds(PUBLISH_SERVICE_TIMEOUT_SECONDS),
      properties: { ...properties },
    });
    // The function must be able to read and write before CloudFormation invokes it.
    resource.node.addDependency(seeder.role);
    return resource;
  }
}
