// Unit tests: every record of an SNS event is checked, parsed and handled on its own; one that throws is named, never hides the others.
import { InvalidInputError } from '../../../shared/errors';
import { assertSnsEvent, forEachSnsMessage } from '../../../shared/alarm/sns-event';
import type { ParsedMessage } from '../../../shared/alarm/model';
import { loadEvent, snsEventWithMessage } from '../../support/events';

/** One event of the given records' samples, each with its own MessageId. */
function eventOf(...records: { name: string; messageId: string }[]) {
  return {
    Records: records.map(({ name, messageId }) => {
      const [record] = loadEvent(name).Records;
      record!.Sns.MessageId = messageId;
      return record!;
    }),
  };
}

describe('forEachSnsMessage', () => {
  it('hands every record, parsed, to the handler and returns the results in record order', async () => {
    const event = eventOf({ name: 'alarm-high-cpu-alarm', messageId: 'm-cpu' }, { name: 'sns-plain-text', messageId: 'm-text' });
    const seen: ParsedMessage[] = [];

    const settled = await forEachSnsMessage(event, async (message) => {
      seen.push(message);
      return message.type === 'alarm' ? message.alarm.name : message.generic.reason;
    });

    expect(seen.map((m) => [m.messageId, m.type])).toEqual([['m-cpu', 'alarm'], ['m-text', 'generic']]);
    expect(settled).toEqual({ results: ['RetailPrediction-HighCPU', 'not JSON: delivered as plain text'], failures: [] });
  });

  it('tries every message even when one throws, and names the one that failed by its MessageId', async () => {
    const event = eventOf({ name: 'alarm-high-cpu-alarm', messageId: 'm-1' }, { name: 'alarm-high-cpu-alarm', messageId: 'm-2' }, { name: 'alarm-high-cpu-alarm', messageId: 'm-3' });
    const boom = new Error('boom');
    const handled: string[] = [];

    const settled = await forEachSnsMessage(event, async (message) => {
      if (message.messageId === 'm-1') throw boom;
      // Later than the failure: the helper waits for it rather than returning at the first rejection.
      await new Promise((resolve) => setTimeout(resolve, 5));
      handled.push(message.messageId);
      return message.messageId;
    });

    expect(settled).toEqual({ results: ['m-2', 'm-3'], failures: [{ what: 'm-1', error: boom }] });
    expect(handled.sort()).toEqual(['m-2', 'm-3']);
  });

  it.each([
    ['no Records', {}],
    ['an empty Records list', { Records: [] }],
    ['a record that is not SNS', { Records: [{ EventSource: 'aws:sqs', body: '{}' }] }],
    ['null', null],
  ])('refuses an event with %s before handling anything', async (_label, event) => {
    const handle = jest.fn(async () => undefined);

    await expect(forEachSnsMessage(event, handle)).rejects.toThrow(InvalidInputError);
    expect(handle).not.toHaveBeenCalled();
  });
});

describe('assertSnsEvent', () => {
  it('accepts a sample SNS event and names the record that is not one', () => {
    expect(() => assertSnsEvent(snsEventWithMessage('hello'))).not.toThrow();
    const mixed = { Records: [...snsEventWithMessage('hello').Records, { EventSource: 'aws:sqs' }] };
    expect(() => assertSnsEvent(mixed)).toThrow('Record 1 is not an SNS notification (EventSource aws:sqs)');
  });
});
