import { Aws, CfnOutput, type CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONSOLE_ENV, DETECT_ENV, RETRAIN_ENV } from '../../src/contract';
import type { BeatwatchConfig } from '../config';
import { grantReadPrefix, grantTableActions as grantTable, grantWritePrefix } from '../grants';
import { BundledFunction } from './bundled-function';
import { ConsoleSite } from './console-site';
import { PREFIX } from './storage';

/** The table's one index (`src/aws/alert-state-store.ts` queries it by this name). */
export const ALERT_STATE_INDEX = 'gsi1';

/** The Cognito group whose members may use the console (the API handler checks it too). */
export const CLINICIANS_GROUP = 'clinicians';

/** Options of {@link ClinicianConsole}. */
export interface ClinicianConsoleProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: BeatwatchConfig;
  readonly key: kms.Key;
  readonly bucket: s3.IBucket;
  /** The detect function: it writes alerts and device sightings and reads snoozes. */
  readonly detectFunction: lambda.IFunction;
  /** Target of the console site's access logs (the stack's access-log bucket). */
  readonly logBucket: s3.IBucket;
  /** The deploy-time function that publishes the console page (the default model's seeder). */
  readonly seeder: { readonly fn: lambda.IFunction; readonly role: iam.IRole };
}

/** OAuth scopes the console asks for: the id token (its `email` names who acted) and nothing more. */
export const CONSOLE_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];

/**
 * The clinician's console in AWS (docs/ARCHITECTURE.md §3.7): the alert state table (DynamoDB on
 * demand, the data key, point-in-time recovery, retained), a Cognito user pool (no self sign-up,
 * MFA required, a `clinicians` group, the hosted sign-in on a Cognito domain, an app client for
 * the page: authorization code with PKCE, back to the console's URL only), the console API (an
 * HTTP API whose every route needs a JWT from that pool, in front of the console API function),
 * and the page itself (`ConsoleSite`: private bucket, CloudFront with OAC, `/api/*` routed to
 * the API), published with its `config.json` at deploy time.
 *
 * Permissions from grants only: the console function reads and writes the table and reads
 * `alerts/` (snippets); the detect function writes the table and reads it (snoozes).
 */
export class ClinicianConsole extends Construct {
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly api: apigw.HttpApi;
  readonly function: BundledFunction;
  readonly accessLogs: logs.LogGroup;
  readonly domain: cognito.UserPoolDomain;
  readonly site: ConsoleSite;
  readonly publication: CustomResource;

  constructor(scope: Construct, id: string, props: ClinicianConsoleProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'AlertState', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Acknowledgements and labels are clinical records: kept when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: ALERT_STATE_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.userPool = new cognito.UserPool(this, 'Users', {
      // Accounts are created by an administrator (README, "Deploy"): nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cognito.CfnUserPoolGroup(this, 'Clinicians', {
      userPoolId: this.userPool.userPoolId,
      groupName: CLINICIANS_GROUP,
      description: 'People allowed in the beatwatch console',
    });

    this.function = new BundledFunction(this, 'Api', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'beatwatch console API: devices, alerts, acknowledge, label, snooze',
      memoryMb: 512,
      timeout: Duration.seconds(10),
      key: props.key,
      logRetentionDays: props.config.logRetentionDays,
      reservedConcurrency: 10,
      environment: {
        [CONSOLE_ENV.bucket]: props.bucket.bucketName,
        [CONSOLE_ENV.alertTable]: this.table.tableName,
        [CONSOLE_ENV.group]: CLINICIANS_GROUP,
      },
    });
    const fn = this.function.fn;
    grantTable(fn, this.table, props.key, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'], {
      indexes: [ALERT_STATE_INDEX],
    });
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.alerts);
    // The model in service (GET /api/model): the pointer, the artifact, each version's report.json.
    grantReadPrefix(fn, props.bucket, props.key, PREFIX.models);
    // The detector: alerts and sightings written (conditional put and update), snoozes read, and a
    // device's open signal-lost episode read back when a redriven record is older than its last arrival.
    grantTable(props.detectFunction, this.table, props.key, [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
    ]);
    (props.detectFunction as lambda.Function).addEnvironment(DETECT_ENV.alertTable, this.table.tableName);

    this.accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.config.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    const region = stack.region;
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'beatwatch console API (Cognito JWT on every route)',
      createDefaultStage: false,
    });

    // The hosted sign-in: a Cognito domain unique to the stack unless one is configured.
    const domainPrefix =
      props.config.consoleDomainPrefix ??
      Fn.join('', ['beatwatch-', Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))))]);
    this.domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix } });
    const cognitoDomain = Fn.join('', ['https://', domainPrefix, '.auth.', region, '.amazoncognito.com']);
    // The page, served beside the API: the distribution depends on the API (not its authorizer),
    // the app client on the distribution (its callback URL), the authorizer on the client.
    this.site = new ConsoleSite(this, 'Site', { key: props.key, logBucket: props.logBucket, api: this.api, cognitoDomain });
    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      // SRP for scripts and SDKs; the page signs in through the hosted UI (code + PKCE).
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: CONSOLE_SCOPES,
        callbackUrls: [this.site.url],
        logoutUrls: [this.site.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    const authorizer = new HttpJwtAuthorizer('Cognito', `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`, {
      jwtAudience: [this.client.userPoolClientId],
    });
    this.api.addRoutes({
      path: '/api/{proxy+}',
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Handler', fn),
      authorizer,
    });
    (fn as lambda.Function).addEnvironment(CONSOLE_ENV.clientId, this.client.userPoolClientId);
    this.publication = this.site.publish(
      props.seeder,
      {
        mode: 'cognito',
        api: '/api',
        cognito: {
          domain: cognitoDomain,
          clientId: this.client.userPoolClientId,
          redirectUri: this.site.url,
          scopes: CONSOLE_SCOPES.map((x) => x.scopeName).join(' '),
        },
      },
      props.projectRoot,
    );
    const stage = new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: this.accessLogs.logGroupArn,
      // No request bodies or paths with ids beyond what API Gateway's $context gives: who, what, status.
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        time: '$context.requestTime',
        method: '$context.httpMethod',
        route: '$context.routeKey',
        status: '$context.status',
        user: '$context.authorizer.claims.sub',
        latency: '$context.responseLatency',
      }),
    };
    this.accessLogs.grantWrite(new iam.ServicePrincipal('apigateway.amazonaws.com'));

    new CfnOutput(stack, 'ConsoleUrl', { value: this.site.url, description: "The clinician's console (sign in with a console account)" });
    new CfnOutput(stack, 'ConsoleCreateClinician', {
      value: Fn.join('', [
        'aws cognito-idp admin-create-user --user-pool-id ',
        this.userPool.userPoolId,
        ' --username <email> --user-attributes Name=email,Value=<email> Name=email_verified,Value=true && aws cognito-idp admin-add-user-to-group --user-pool-id ',
        this.userPool.userPoolId,
        ` --group-name ${CLINICIANS_GROUP} --username <email>`,
      ]),
      description: 'Creates a clinician account (Cognito e-mails a temporary password; MFA is set up at first sign-in)',
    });
    new CfnOutput(stack, 'ConsoleApiUrl', { value: stage.url, description: 'Console API (every route needs a Cognito JWT)' });
    new CfnOutput(Stack.of(this), 'ConsoleUserPoolId', {
      value: this.userPool.userPoolId,
      description: 'Cognito user pool of the console: add clinicians here, in the clinicians group',
    });
    new CfnOutput(Stack.of(this), 'ConsoleClientId', {
      value: this.client.userPoolClientId,
      description: 'App client of the console page',
    });
    new CfnOutput(Stack.of(this), 'AlertStateTable', { value: this.table.tableName, description: 'DynamoDB table of alert state' });
  }

  /**
   * Lets the retraining function learn from labels (docs/ARCHITECTURE.md §3.9): it lists the
   * labelled alerts (a query of the index), reads their snippets (`alerts/`), reads a device's
   * item and writes its label state (an update), and writes that state into the device's profile
   * (`devices/`). Nothing else of the table: no puts, no deletes.
   */
  useLabelsIn(fn: lambda.Function, bucket: s3.IBucket, key: kms.IKey): void {
    grantTable(fn, this.table, key, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    grantTable(fn, this.table, key, ['dynamodb:Query'], { indexes: [ALERT_STATE_INDEX], only: 'indexes' });
    grantReadPrefix(fn, bucket, key, PREFIX.alerts);
    grantReadPrefix(fn, bucket, key, PREFIX.devices);
    grantWritePrefix(fn, bucket, key, PREFIX.devices);
    fn.addEnvironment(RETRAIN_ENV.alertTable, this.table.tableName);
  }
}
