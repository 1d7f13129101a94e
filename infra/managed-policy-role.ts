import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * An IAM role whose granted permissions go to one customer-managed policy attached to it,
 * instead of the inline `DefaultPolicy` a CDK role collects grants in.
 *
 * Every grant (`bucket.grant…`, `stream.grantRead`, event sources, DLQs) still goes through
 * `addToPrincipalPolicy`, so permissions stay "from grants only"; the difference is where they
 * land: a managed policy is versioned (a change can be rolled back) and shows up in IAM's
 * policy views, which is why HIPAA guidance prefers it to inline policies.
 *
 * @example
 * const role = new ManagedPolicyRole(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
 * bucket.grantRead(role);
 */
export class ManagedPolicyRole extends iam.Role {
  private grantsPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  /** Adds the statement to the role's managed policy (created on the first grant). */
  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.grantsPolicy ??= new iam.ManagedPolicy(this, 'GrantsPolicy', {
      description: 'Permissions granted to this role by the resources it uses',
      roles: [this],
    });
    this.grantsPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsPolicy };
  }
}
