// The clinician's console in the stack: the alert state table, the Cognito user pool, the HTTP
// API with a JWT authorizer on every route, and the console function's least privilege.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { onlyResource, synthStack } from './synth';

const { template, stack } = synthStack();
const json = template.toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, unknown>;
};
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
const keyArn = { 'Fn::GetAtt': [id(stack.dataKey.key), 'Arn'] };

describe('alert state table', () => {
  it('is on demand, encrypted with the stack key, with point-in-time recovery, deletion protection and the gsi1 index; retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1', Projection: { ProjectionType: 'ALL' } })],
      }),
    });
  });
  it('is named to the detect function, which reads snoozes and writes alerts there', () => {
    const detect = json.Resources[id(stack.detection.function.fn)].Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(detect.Environment.Variables.ALERT_TABLE).toEqual({ Ref: id(stack.console.table) });
  });
});

describe('Cognito', () => {
  it('a user pool without self sign-up, MFA required, a strong password policy, and a clinicians group', () => {
    const pool = onlyResource(template, 'AWS::Cognito::UserPool').props;
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true, RequireNumbers: true } },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'clinicians' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });
});

describe('console API: no anonymous access to health data', () => {
  it('has a JWT authorizer for the pool and its app client', () => {
    const authorizer = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer').props;
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: id(stack.console.client) }] },
    });
    expect(JSON.stringify(authorizer.JwtConfiguration)).toContain('cognito-idp.');
    expect(JSON.stringify(authorizer.JwtConfiguration)).toContain(id(stack.console.userPool));
  });
  it('every route requires it (no route is open), and the routes reach the console function', () => {
    const routes = Object.values(json.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['GET /api/{proxy+}', 'POST /api/{proxy+}']);
    for (const r of routes) {
      expect(r.Properties.AuthorizationType).toBe('JWT');
      expect(r.Properties.AuthorizerId).toEqual({ Ref: onlyResource(template, 'AWS::ApiGatewayV2::Authorizer').id });
    }
  });
  it('logs access to an encrypted log group and throttles', () => {
    const stage = onlyResource(template, 'AWS::ApiGatewayV2::Stage').props as {
      AccessLogSettings: { DestinationArn: unknown; Format: string };
      DefaultRouteSettings: { ThrottlingRateLimit: number };
    };
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [id(stack.console.accessLogs), 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toHaveProperty('status');
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBe(50);
  });
  it('the handler is told which app client and group to check', () => {
    const fn = json.Resources[id(stack.console.function.fn)].Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables).toMatchObject({
      ALERT_TABLE: { Ref: id(stack.console.table) },
      CONSOLE_CLIENT_ID: { Ref: id(stack.console.client) },
      CONSOLE_GROUP: 'clinicians',
    });
  });
  it('the console function may read and update the table, read snippets and models, nothing else', () => {
    const roleId = id(stack.console.function.role);
    const statements = Object.values(json.Resources)
      .filter(
        (r) =>
          (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
          JSON.stringify(r.Properties.Roles ?? []).includes(`"${roleId}"`),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect([...new Set(actions.filter((a) => a.startsWith('s3:')))]).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(statements)).toContain('/alerts/*');
    expect(JSON.stringify(statements)).toContain('/models/*');
    expect(JSON.stringify(statements)).not.toMatch(/history|devices|rejected/);
    expect(actions.some((a) => /Delete|PutItem|PutObject/.test(a))).toBe(false);
  });
  it('outputs the API URL, the user pool and the app client', () => {
    expect(Object.keys(json.Outputs)).toEqual(
      expect.arrayContaining(['ConsoleApiUrl', 'ConsoleUserPoolId', 'ConsoleClientId', 'AlertStateTable']),
    );
  });
});

describe('the console page in AWS: S3 + CloudFront with origin access control, TLS, KMS', () => {
  const siteId = id(stack.console.site.bucket);
  const distId = id(stack.console.site.distribution);
  const site = json.Resources[siteId].Properties as Record<string, unknown>;
  const dist = (json.Resources[distId].Properties as { DistributionConfig: Record<string, unknown> }).DistributionConfig as {
    Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: unknown; CustomOriginConfig?: unknown }[];
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: Record<string, unknown>[];
    DefaultRootObject: string;
    Logging: { Bucket: unknown; Prefix: string };
    ViewerCertificate?: unknown;
  };

  it('a private bucket named from the stack id, encrypted with the data key (bucket key), versioned, access-logged', () => {
    expect(site).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stack.storage.accessLogBucket) }, LogFilePrefix: 'console-site/' },
    });
    expect(JSON.stringify(site.BucketName)).toContain('AWS::StackId');
  });

  it('only this distribution may read it (bucket policy by its ARN), over TLS only', () => {
    const policy = Object.values(json.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: siteId }),
    )?.Properties.PolicyDocument as { Statement: { Effect: string; Principal?: unknown; Action: unknown; Condition?: unknown }[] };
    const allows = policy.Statement.filter((x) => x.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0].Condition)).toContain(`{"Ref":"${distId}"}`);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('the data key lets CloudFront decrypt objects of the site bucket only (encryption context), for distributions of this account', () => {
    const keyPolicy = (json.Resources[id(stack.dataKey.key)].Properties as { KeyPolicy: { Statement: Record<string, unknown>[] } })
      .KeyPolicy;
    const cf = keyPolicy.Statement.filter((x) => JSON.stringify(x.Principal).includes('cloudfront.amazonaws.com'));
    expect(cf).toHaveLength(1);
    expect(cf[0].Action).toBe('kms:Decrypt');
    const condition = JSON.stringify(cf[0].Condition);
    expect(condition).toContain('kms:EncryptionContext:aws:s3:arn');
    expect(condition).toContain('beatwatch-console-');
    expect(condition).toContain(':distribution/*');
    expect(condition).toContain('AWS::AccountId');
  });

  it('the S3 origin uses origin access control (SigV4, always), no origin access identity', () => {
    const oac = onlyResource(template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.props).toMatchObject({
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const s3Origin = dist.Origins.find((o) => o.S3OriginConfig !== undefined);
    expect(s3Origin).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': [oac.id, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });

  it('TLS: the page redirects to HTTPS, the API path is HTTPS only end to end; CSP, HSTS and no framing on every response', () => {
    expect(dist.DefaultRootObject).toBe('index.html');
    expect(dist.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    const api = dist.CacheBehaviors.find((b) => b.PathPattern === '/api/*') as Record<string, unknown>;
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
    });
    const apiOrigin = dist.Origins.find((o) => o.Id === api.TargetOriginId);
    expect(apiOrigin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(id(stack.console.api));
    const headers = onlyResource(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    for (const b of [dist.DefaultCacheBehavior, api]) expect(b.ResponseHeadersPolicyId).toEqual({ Ref: headers.id });
    const security = (headers.props.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> })
      .SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('.amazoncognito.com');
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true });
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(dist.Logging).toMatchObject({ Prefix: 'console-cdn/' });
  });

  it('Cognito hosted sign-in: a domain, and the app client uses the authorization code grant (PKCE, no secret) back to the console only', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const client = onlyResource(template, 'AWS::Cognito::UserPoolClient').props;
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distId, 'DomainName'] }, '/']] };
    expect(client.CallbackURLs).toEqual([url]);
    expect(client.LogoutURLs).toEqual([url]);
  });

  it('config.json is published beside the page by the deploy-time function (no extra Lambda): API path, Cognito domain, client, redirect', () => {
    const publish = onlyResource(template, 'Custom::BeatwatchConsoleSite').props as {
      ServiceToken: unknown;
      BucketName: unknown;
      Files: { Key: string; ContentType: string }[];
      Config: { mode: string; api: string; cognito: Record<string, unknown> };
    };
    expect(publish.ServiceToken).toEqual({ 'Fn::GetAtt': [id(stack.defaultModel.function.fn), 'Arn'] });
    expect(publish.BucketName).toEqual({ Ref: siteId });
    expect(publish.Files.map((f) => [f.Key, f.ContentType])).toEqual([
      ['index.html', 'text/html; charset=utf-8'],
      ['app.js', 'text/javascript; charset=utf-8'],
    ]);
    expect(publish.Config).toMatchObject({
      mode: 'cognito',
      api: '/api',
      cognito: { clientId: { Ref: id(stack.console.client) }, scopes: 'openid email profile' },
    });
    expect(JSON.stringify(publish.Config.cognito.domain)).toContain('.amazoncognito.com');
    expect(JSON.stringify(publish.Config.cognito.redirectUri)).toContain(distId);
    template.resourceCountIs('AWS::Lambda::Function', 5); // detect, retrain, deploy-time seeding, console API, signal-lost sweep
  });

  it('outputs the console URL and how to create a clinician account', () => {
    expect(json.Outputs).toHaveProperty('ConsoleUrl');
    const create = JSON.stringify(json.Outputs.ConsoleCreateClinician);
    expect(create).toContain('admin-create-user');
    expect(create).toContain('admin-add-user-to-group');
    expect(create).toContain('--group-name clinicians');
    expect(create).toContain(id(stack.console.userPool));
  });

  it('a configured sign-in domain prefix is used as given, and a bad one is refused', () => {
    const { template: t } = synthStack({ consoleDomainPrefix: 'clinic-east' });
    expect(onlyResource(t, 'AWS::Cognito::UserPoolDomain').props.Domain).toBe('clinic-east');
    expect(() => synthStack({ consoleDomainPrefix: 'My_Clinic' })).toThrow(/consoleDomainPrefix/);
    expect(() => synthStack({ consoleDomainPrefix: 'aws-clinic' })).toThrow(/consoleDomainPrefix/);
  });
});
