// Unit tests: the responder's event entry loads its adapters only for an alarm the policy hands to a service, or the schedule.
import { loadConfig } from '../../../shared/config';
import { ConfigError, InvocationFailedError } from '../../../shared/errors';
import { policyForStage, STAGE_POLICIES } from '../../../shared/policy/load';
import { parsePolicyBySection } from '../../../shared/policy/parse-policy';
import { respondToEvent } from '../../../shared/responder/event';
import type { ResponderDeps } from '../../../shared/responder/ports';
import { lazyResponderDeps, responderSettings } from '../../../shared/responder/settings';
import { loadEvent } from '../../support/events';
import { harness } from './doubles';

/** The harness's dependencies behind a loader the test watches. */
function lazyHarness(load?: jest.Mock<Promise<ResponderDeps>, []>) {
  const h = harness([{ errorRate: 2, latency: 120, requests: 1000, cpu: 40 }]);
  const loader = load ?? jest.fn<Promise<ResponderDeps>, []>(async () => h.deps);
  return { h, load: loader, responder: lazyResponderDeps({ policy: h.deps.policy, dryRun: h.deps.dryRun }, loader) };
}

describe('respondToEvent', () => {
  it('answers an alarm the policy hands to no service without loading the adapters', async () => {
    const { load, responder } = lazyHarness();

    const result = await respondToEvent(loadEvent('alarm-high-latency-alarm'), responder);

    expect(result.messages.map((m) => m.outcome)).toEqual([{ status: 'not-handled', alarm: 'RetailPrediction-HighLatency' }]);
    expect(load).not.toHaveBeenCalled();
  });

  it('loads them for the first alarm handed to a service and keeps them for the next', async () => {
    const { h, load, responder } = lazyHarness();

    await respondToEvent(loadEvent('alarm-high-error-rate-alarm'), responder);
    await respondToEvent(loadEvent('alarm-high-error-rate-ok'), responder);

    expect(load).toHaveBeenCalledTimes(1);
    expect(h.metrics.calls).toBeGreaterThan(0);
  });

  it('loads them for the schedule, whose sweep reads the flag store', async () => {
    const { load, responder } = lazyHarness();

    const result = await respondToEvent(loadEvent('respond-schedule'), responder);

    expect(result.sweep).toEqual([]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fails the message when they cannot be loaded, and tries again on the next invocation', async () => {
    const h = harness([{ errorRate: 2, latency: 120, requests: 1000, cpu: 40 }]);
    const load = jest.fn<Promise<ResponderDeps>, []>().mockRejectedValueOnce(new Error('Cannot find module')).mockResolvedValue(h.deps);
    const { responder } = lazyHarness(load);

    const error = await respondToEvent(loadEvent('alarm-high-error-rate-alarm'), responder).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).message).toContain('(Cannot find module)');
    await expect(respondToEvent(loadEvent('alarm-high-error-rate-alarm'), responder)).resolves.toMatchObject({ messages: [{ outcome: { status: 'responded' } }] });
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('responderSettings, checked at cold start before any adapter is loaded', () => {
  it('gives the responder section and DRY_RUN', () => {
    const policy = policyForStage('dev');
    expect(responderSettings(loadConfig({ STAGE: 'dev', DRY_RUN: 'true' }), policy)).toEqual({ policy: policy.responder, dryRun: true });
  });

  it('needs STATE_TABLE outside a dry run', () => {
    expect(() => responderSettings(loadConfig({ STAGE: 'dev', DRY_RUN: 'false' }), policyForStage('dev'))).toThrow('STATE_TABLE must be set');
  });

  it('refuses a policy that scales a target remediation does not declare', () => {
    const policy = policyForStage('dev');
    expect(() => responderSettings(loadConfig({ STAGE: 'dev', STATE_TABLE: 'firebreak-dev-state' }), { ...policy, remediation: undefined })).toThrow(ConfigError);
  });

  it('validates every policy section the responder reads, notify included', () => {
    const bad = structuredClone(STAGE_POLICIES.dev) as { notify: { defaultRoute: { channels: string[] } } };
    bad.notify.defaultRoute.channels = ['pager'];
    const policy = parsePolicyBySection(bad, 'policy for stage dev');
    expect(() => responderSettings(loadConfig({ STAGE: 'dev', STATE_TABLE: 'firebreak-dev-state' }), policy)).toThrow(/notify\.defaultRoute\.channels\.0/);
  });
});
