// Unit tests: an alarm runs the rules of its name, state and the function's kinds; failures are collected, not lost.
import type { Alarm } from '../../../shared/alarm/model';
import { policyForStage } from '../../../shared/policy/load';
import { InvocationFailedError } from '../../../shared/errors';
import { criticalByRouting, remediateAlarm } from '../../../shared/remediation/remediate-alarm';
import { fakeDeps, samplePolicy } from './support/fixtures';

const alarm = (name: string, state: Alarm['state'] = 'ALARM'): Alarm => ({
  kind: 'metric',
  name,
  arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
  accountId: '123456789012',
  region: 'us-east-1',
  state,
  reason: 'Threshold Crossed',
  changedAt: '2026-11-21T05:00:00.000Z',
  source: 'cloudwatch-sns',
});

it('runs only the rules of the given kinds for this alarm and state', async () => {
  const { deps, nodegroups, deployments } = fakeDeps();

  const outcomes = await remediateAlarm({ messageId: 'm', alarm: alarm('RetailPrediction-HighCPU') }, { kinds: ['scale-deployment'], requestedBy: 'scaleDeployment' }, deps);

  expect(outcomes).toEqual([expect.objectContaining({ status: 'done', action: 'scale-deployment', after: 6 })]);
  expect(nodegroups.calls).toEqual([]);
  expect(deployments.calls).toHaveLength(1);
});

it('a refusal for an alarm the routing policy calls critical pages, even if the rule does not say critical', async () => {
  const policy = samplePolicy((s) => {
    s.rules.push({ alarm: 'RetailPrediction-HighErrorRate', state: 'ALARM', action: { kind: 'restart-deployment', target: 'retail-forecast-api' } } as never);
    s.enabled = false;
  });
  const { deps, notices } = fakeDeps({ policy });
  const scope = { kinds: ['restart-deployment'] as const, requestedBy: 'scaleDeployment', isCritical: criticalByRouting(policyForStage('dev').notify) };

  await remediateAlarm({ messageId: 'm1', alarm: alarm('RetailPrediction-HighErrorRate') }, scope, deps);

  expect(notices).toEqual([expect.objectContaining({ guard: 'kill-switch', critical: true })]);
  expect(criticalByRouting(policyForStage('dev').notify)(alarm('RetailPrediction-HighCPU'))).toBe(false);
});

it('tries every rule and throws with each failure and the outcomes that succeeded', async () => {
  const { deps, deployments } = fakeDeps();
  deployments.scale = async () => {
    throw new Error('connection refused');
  };

  const error = await remediateAlarm({ messageId: 'm2', alarm: alarm('RetailPrediction-HighCPU') }, { kinds: ['scale-nodegroup', 'scale-deployment'], requestedBy: 'test' }, deps).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvocationFailedError);
  expect((error as InvocationFailedError).succeeded).toEqual([expect.objectContaining({ status: 'done', action: 'scale-nodegroup' })]);
  expect((error as InvocationFailedError).message).toContain('retail-forecast-api (connection refused)');
});

it('an alarm no rule names does nothing', async () => {
  const { deps } = fakeDeps();
  await expect(remediateAlarm({ messageId: 'm3', alarm: alarm('Payments-HighLatency') }, { kinds: ['scale-nodegroup'], requestedBy: 'test' }, deps)).resolves.toEqual([]);
});
