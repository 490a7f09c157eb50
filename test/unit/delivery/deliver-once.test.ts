// Unit tests: a channel of a message is sent at most once through the delivery ledger; failures are released, reported, or thrown together.
import { deliverAll, deliverEach, deliverOnce, IN_FLIGHT, type ChannelDelivery } from '../../../shared/delivery/deliver-once';
import { InMemoryDeliveryLedger, type DeliveryLedger } from '../../../shared/delivery/ledger';
import { InvocationFailedError } from '../../../shared/errors';

/** A delivery that counts its sends and fails while `failing` is set. */
function counted(channel: ChannelDelivery['channel'], failing?: Error) {
  const state = { sends: 0, failing };
  const delivery: ChannelDelivery = {
    channel,
    send: async () => {
      state.sends++;
      if (state.failing) throw state.failing;
    },
  };
  return { delivery, state };
}

let ledger: InMemoryDeliveryLedger;
beforeEach(() => {
  ledger = new InMemoryDeliveryLedger();
});

describe('deliverOnce', () => {
  it('claims, sends and marks delivered; the same message again sends nothing', async () => {
    const { delivery, state } = counted('slack');

    await expect(deliverOnce(delivery, { ledger, messageId: 'm1' })).resolves.toBe('delivered');
    await expect(deliverOnce(delivery, { ledger, messageId: 'm1' })).resolves.toBe('already-delivered');

    expect(state.sends).toBe(1);
    expect(ledger.records.get('m1/slack')).toBe('delivered');
  });

  it('releases the claim when the send fails, so the retry sends it', async () => {
    const { delivery, state } = counted('pagerduty', new Error('HTTP 503'));

    await expect(deliverOnce(delivery, { ledger, messageId: 'm1' })).rejects.toThrow('HTTP 503');
    expect(ledger.records.get('m1/pagerduty')).toBe('failed');

    state.failing = undefined;
    await expect(deliverOnce(delivery, { ledger, messageId: 'm1' })).resolves.toBe('delivered');
    expect(state.sends).toBe(2);
  });

  it('fails, without sending, a channel another invocation holds the claim of', async () => {
    const { delivery, state } = counted('slack');
    await ledger.claim('m1', 'slack');

    await expect(deliverOnce(delivery, { ledger, messageId: 'm1' })).rejects.toThrow(IN_FLIGHT);
    expect(state.sends).toBe(0);
  });

  it('reports the send\'s failure first when recording it fails too', async () => {
    const sendError = new Error('HTTP 500');
    const broken: DeliveryLedger = { claim: async () => 'claimed', markDelivered: async () => undefined, release: async () => Promise.reject(new Error('DynamoDB throttled')) };

    const error = await deliverOnce(counted('slack', sendError).delivery, { ledger: broken, messageId: 'm1' }).catch((e: unknown) => e);

    expect((error as Error).message).toBe('HTTP 500 (recording the failure also failed: DynamoDB throttled)');
    expect((error as Error).cause).toBe(sendError);
  });

  it('sends every time when the message has no record (nothing to deduplicate by)', async () => {
    const { delivery, state } = counted('slack');

    await deliverOnce(delivery);
    await deliverOnce(delivery);

    expect(state.sends).toBe(2);
  });
});

describe('deliverEach', () => {
  it('reports every channel in order, a failure with its reason, without throwing', async () => {
    const refused = new Error('HTTP 400: invalid_payload');
    const deliveries = [counted('pagerduty').delivery, counted('slack', refused).delivery, counted('email').delivery];
    await ledger.claim('m1', 'email');
    await ledger.markDelivered('m1', 'email');

    await expect(deliverEach(deliveries, { ledger, messageId: 'm1' })).resolves.toEqual([
      { channel: 'pagerduty', status: 'delivered' },
      { channel: 'slack', status: 'failed', detail: 'HTTP 400: invalid_payload', error: refused },
      { channel: 'email', status: 'already-delivered' },
    ]);
  });

  it('a ledger that cannot be read fails the channel and sends nothing', async () => {
    const { delivery, state } = counted('slack');
    const down: DeliveryLedger = { claim: async () => Promise.reject(new Error('no credentials')), markDelivered: async () => undefined, release: async () => undefined };

    await expect(deliverEach([delivery], { ledger: down, messageId: 'm1' })).resolves.toEqual([expect.objectContaining({ channel: 'slack', status: 'failed', detail: 'no credentials' })]);
    expect(state.sends).toBe(0);
  });
});

describe('deliverAll', () => {
  it('resolves when every channel went out or had gone out', async () => {
    await ledger.claim('m1', 'slack');
    await ledger.markDelivered('m1', 'slack');

    await expect(deliverAll([counted('slack').delivery, counted('pagerduty').delivery], { ledger, messageId: 'm1' })).resolves.toBeUndefined();
  });

  it('tries every channel, then throws one error naming each that failed, a claim in flight included', async () => {
    const pagerduty = counted('pagerduty');
    await ledger.claim('m1', 'slack');

    const error = await deliverAll([counted('slack').delivery, pagerduty.delivery, counted('email', new Error('SNS: throttled')).delivery], { ledger, messageId: 'm1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).message).toBe(`Delivery failed for slack (${IN_FLIGHT}), email (SNS: throttled)`);
    expect((error as InvocationFailedError).succeeded).toEqual([{ channel: 'pagerduty', status: 'delivered' }]);
    expect(pagerduty.state.sends).toBe(1);
  });
});
