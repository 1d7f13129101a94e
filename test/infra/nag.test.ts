import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgeFindings, acknowledgements, addNagChecks } from '../../infra/nag';
import { synthStack } from './synth';

type Pack = AwsSolutionsChecks | HIPAASecurityChecks;

/** Findings the pack reports on the stack: errors and warnings alike, since either fails `cdk synth`. */
function errors(pack: Pack, stack: Parameters<Pack['validateScope']>[0]): string[] {
  return pack
    .validateScope(stack)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => (r as { constructPath?: string }).constructPath).join(', ')}`);
}

describe('cdk-nag', () => {
  it('AwsSolutions and HIPAA Security report zero unacknowledged errors', () => {
    const { stack } = synthStack();
    acknowledgeFindings(stack);
    expect(errors(new AwsSolutionsChecks(), stack)).toEqual([]);
    expect(errors(new HIPAASecurityChecks(), stack)).toEqual([]);
  });

  it('also with every optional setting on (e-mail, provisioned shards, reserved detect concurrency, no alarm actions)', () => {
    const { stack } = synthStack({ alertEmail: 'oncall@example.org', shardCount: 2, detectReservedConcurrency: 10, alarmActions: 'false' });
    acknowledgeFindings(stack);
    expect(errors(new AwsSolutionsChecks(), stack)).toEqual([]);
    expect(errors(new HIPAASecurityChecks(), stack)).toEqual([]);
    expect(acknowledgements(stack).map((a) => a.id)).toContain('HIPAA.Security-CloudWatchAlarmAction');
  });

  it('every acknowledgement is needed: removing any one brings its finding back', () => {
    const { stack: reference } = synthStack();
    const list = acknowledgements(reference);
    for (let skip = 0; skip < list.length; skip++) {
      const { stack } = synthStack();
      acknowledgements(stack).forEach((a, i) => {
        if (i !== skip) Validations.of(a.scope).acknowledge({ id: a.id, reason: a.reason });
      });
      const found = [...errors(new AwsSolutionsChecks(), stack), ...errors(new HIPAASecurityChecks(), stack)];
      expect(
        found.some((f) => f.startsWith(list[skip].id)),
        `${list[skip].id} is acknowledged but never raised`,
      ).toBe(true);
    }
  });

  it('the CloudWatchAlarmAction acknowledgement is needed with alarmActions=false: without it cdk-nag reports the finding', () => {
    const ID = 'HIPAA.Security-CloudWatchAlarmAction';
    const { stack } = synthStack({ alarmActions: 'false' });
    const others = acknowledgements(stack).filter((a) => a.id !== ID);
    expect(others).toHaveLength(acknowledgements(stack).length - 1);
    for (const a of others) Validations.of(a.scope).acknowledge({ id: a.id, reason: a.reason });
    const found = errors(new HIPAASecurityChecks(), stack);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.startsWith(`${ID}:`))).toBe(true);
    // With alarm actions on (the default), the alarms notify the alerts topic: no finding, no acknowledgement.
    const { stack: withActions } = synthStack();
    expect(acknowledgements(withActions).map((a) => a.id)).not.toContain(ID);
    acknowledgeFindings(withActions);
    expect(errors(new HIPAASecurityChecks(), withActions)).toEqual([]);
  });

  it('every acknowledgement carries a written reason', () => {
    const { stack } = synthStack();
    for (const a of acknowledgements(stack)) expect(a.reason.length, a.id).toBeGreaterThan(60);
  });

  it('unacknowledged, the stack does have findings (the check is live)', () => {
    const { stack } = synthStack();
    expect(errors(new HIPAASecurityChecks(), stack).length).toBeGreaterThan(0);
  });

  it("fails synthesis through the app's validation plugins unless the findings are acknowledged", () => {
    const bare = synthStack();
    Validations.of(bare.app).addPlugins(new AwsSolutionsChecks(bare.app), new HIPAASecurityChecks(bare.app));
    expect(() => bare.app.synth({ force: true })).toThrow(/Acknowledge with .AwsSolutions::AwsSolutions-SQS3/);
    const checked = synthStack();
    addNagChecks(checked.app, checked.stack);
    expect(() => checked.app.synth({ force: true })).not.toThrow();
  });
});
