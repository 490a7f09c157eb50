// Unit tests: the responder's event entry — the schedule sweeps, each alarm goes to its service, others are left alone.
import { InvocationFailedError } from '../../../shared/errors';
import { respondToEvent } from '../../../shared/responder/event';
import { loadEvent } from '../../support/events';
import { harness } from './doubles';

const CALM = { errorRate: 2, latency: 120, requests: 1000, cpu: 40 };

describe('respondToEvent', () => {
  it('answers an alarm the policy hands to no service as not handled, reading nothing', async () => {
    const h = harness([CALM]);

    const result = await respondToEvent(loadEvent('alarm-high-latency-alarm'), h.deps);

    expect(result.messages.map((m) => m.outcome)).toEqual([{ status: 'not-handled', alarm: 'RetailPrediction-HighLatency' }]);
    expect(h.metrics.calls).toBe(0);
    expect(h.team.messages).toHaveLength(0);
  });

  it("runs the responder for an alarm of a service's", async () => {
    const h = harness([CALM]);

    const result = await respondToEvent(loadEvent('alarm-high-error-rate-alarm'), h.deps);

    expect(result.messages).toEqual([expect.objectContaining({ alarm: 'RetailPrediction-HighErrorRate', outcome: expect.objectContaining({ status: 'responded' }) })]);
    expect(h.metrics.calls).toBeGreaterThan(0);
  });

  it('sweeps the breakers on the schedule', async () => {
    const h = harness([CALM]);

    expect(await respondToEvent(loadEvent('respond-schedule'), h.deps)).toEqual({ dryRun: false, messages: [], sweep: [] });
  });

  it('fails the invocation, naming the message, when a record fails, after trying every record', async () => {
    const h = harness([CALM]);
    h.team.fail = new Error('Slack is down');

    const error = await respondToEvent(loadEvent('alarm-high-error-rate-alarm'), h.deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).message).toMatch(/^Responder failed for .+Slack is down/);
  });
});
