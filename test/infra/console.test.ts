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
