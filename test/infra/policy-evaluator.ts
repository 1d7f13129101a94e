// Evaluates recorded AWS calls against a role's policies from the synthesized template: a small
// subset of IAM (Allow statements, Action/Resource globs, StringLike/StringEquals conditions),
// enough for beatwatch's policies. Anything it does not understand counts as "not allowed", so
// the check can only be too strict, never too lenient.
import type { RecordedCall } from './aws-request-recorder';

/** A resolved Allow statement. */
export interface ResolvedStatement {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: Record<string, Record<string, string[]>>;
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** Local values of the template's references: logical id → name/ARN, and pseudo parameters. */
export interface LocalValues {
  readonly refs: Record<string, string>;
  /** Logical id → ARN (for `Fn::GetAtt [id, "Arn"]`). */
  readonly arns: Record<string, string>;
  readonly account: string;
  readonly region: string;
}

/** Resolves the intrinsics beatwatch's policies use (Ref, GetAtt Arn, Join, Sub) to strings. */
export function resolveIntrinsic(value: unknown, local: LocalValues): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) {
    const ref = v.Ref as string;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return local.region;
    if (ref === 'AWS::AccountId') return local.account;
    if (local.refs[ref] === undefined) throw new Error(`no local value for Ref ${ref}`);
    return local.refs[ref];
  }
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn' || local.arns[id] === undefined) throw new Error(`no local value for GetAtt ${id}.${attribute}`);
    return local.arns[id];
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsic(p, local)).join(separator);
  }
  if ('Fn::Sub' in v) {
    return (v['Fn::Sub'] as string)
      .replace(/\$\{AWS::AccountId\}/g, local.account)
      .replace(/\$\{AWS::Region\}/g, local.region)
      .replace(/\$\{AWS::Partition\}/g, 'aws');
  }
  throw new Error(`unsupported intrinsic ${JSON.stringify(value)}`);
}

/** Every Allow statement of the policies (managed or inline) attached to a role. */
export function roleStatements(template: Template, roleLogicalId: string, local: LocalValues): ResolvedStatement[] {
  const out: ResolvedStatement[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::ManagedPolicy' && resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties.Roles ?? []) as Array<{ Ref?: string }>;
    if (!roles.some((r) => r.Ref === roleLogicalId)) continue;
    const document = resource.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const s of document.Statement) {
      if (s.Effect !== 'Allow') continue;
      out.push({
        actions: [s.Action].flat() as string[],
        resources: [s.Resource].flat().map((r) => resolveIntrinsic(r, local)),
        conditions: Object.fromEntries(
          Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).map(([op, c]) => [
            op,
            Object.fromEntries(Object.entries(c).map(([k, vals]) => [k, [vals].flat().map((x) => resolveIntrinsic(x, local))])),
          ]),
        ),
      });
    }
  }
  return out;
}

function glob(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

function conditionsHold(conditions: ResolvedStatement['conditions'], call: RecordedCall): boolean {
  for (const [operator, entries] of Object.entries(conditions)) {
    for (const [key, values] of Object.entries(entries)) {
      const actual = call.conditions[key];
      if (actual === undefined) return false;
      if (operator === 'StringLike' && !values.some((v) => glob(v, actual))) return false;
      if (operator === 'StringEquals' && !values.includes(actual)) return false;
      if (operator !== 'StringLike' && operator !== 'StringEquals') return false;
    }
  }
  return true;
}

/** Whether some statement allows the call. */
export function isAllowed(statements: readonly ResolvedStatement[], call: RecordedCall): boolean {
  return statements.some(
    (s) =>
      s.actions.some((a) => glob(a, call.action)) && s.resources.some((r) => glob(r, call.resource)) && conditionsHold(s.conditions, call),
  );
}

/** The calls no statement allows, as readable lines (empty when the role covers them all). */
export function deniedCalls(statements: readonly ResolvedStatement[], calls: readonly RecordedCall[]): string[] {
  return calls
    .filter((c) => !isAllowed(statements, c))
    .map((c) => `${c.action} ${c.resource} ${JSON.stringify(c.conditions)} (${c.request})`);
}
