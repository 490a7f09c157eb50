// Unit tests: the buttons on an alarm's parent message per policy, and reading a click's action_id and value back.
import type { Button, KnownBlock } from '@slack/types';
import type { SlackAppPolicy } from '../../../shared/policy/schema';
import { ACTION_OF_BUTTON, SILENCE_BUTTON_HOURS, alarmButtons, buttonAction, type AlarmButtons } from '../../../shared/slack/buttons';

const ALARM = 'RetailPrediction-HighErrorRate';
const DEDUP_KEY = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate';
const RUNBOOK = 'https://runbooks.example.com/firebreak/high-error-rate.md';
const ONCALL = { users: [], groups: ['S0ONCALL1'] };
const PLATFORM = { users: ['U0PLATFRM'], groups: [] };

const alarm = (overrides: Partial<AlarmButtons> = {}): AlarmButtons => ({ alarmName: ALARM, dedupKey: DEDUP_KEY, runbookUrl: RUNBOOK, ...overrides });
const policy = (actions: SlackAppPolicy['actions'] = {}): SlackAppPolicy => ({ defaultChannel: 'C0FIREBRK', actions });

/** The buttons of an actions block, in order. */
const buttonsOf = (block: KnownBlock): Button[] => {
  if (block.type !== 'actions') throw new Error(`expected an actions block, got ${block.type}`);
  return block.elements as Button[];
};
const idsOf = (block: KnownBlock) => buttonsOf(block).map((b) => b.action_id);
const button = (block: KnownBlock, actionId: string): Button => {
  const found = buttonsOf(block).find((b) => b.action_id === actionId);
  if (!found) throw new Error(`no button ${actionId}`);
  return found;
};

describe('alarmButtons', () => {
  it('with both actions allowed and a page: Acknowledge, Silence 1 h, Silence 4 h, then Open runbook, in one actions block', () => {
    const block = alarmButtons(alarm(), policy({ acknowledge: ONCALL, silence: PLATFORM }));

    expect(block).toMatchObject({ type: 'actions', block_id: 'firebreak-actions' });
    expect(idsOf(block)).toEqual(['acknowledge', 'silence-1h', 'silence-4h', 'runbook']);
    expect(buttonsOf(block).map((b) => b.text.text)).toEqual(['Acknowledge', 'Silence 1 h', 'Silence 4 h', 'Open runbook']);
    expect(button(block, 'acknowledge').style).toBe('primary');
  });

  it('Open runbook is a link to the runbook and carries no value: Slack opens it, slackActions does nothing', () => {
    const runbook = button(alarmButtons(alarm(), policy()), 'runbook');

    expect(runbook.url).toBe(RUNBOOK);
    expect(runbook.value).toBeUndefined();
  });

  it('a policy that names nobody for any action: only Open runbook', () => {
    expect(idsOf(alarmButtons(alarm(), policy()))).toEqual(['runbook']);
  });

  it('only acknowledge allowed: Acknowledge and Open runbook, no silence', () => {
    expect(idsOf(alarmButtons(alarm(), policy({ acknowledge: ONCALL })))).toEqual(['acknowledge', 'runbook']);
  });

  it('only silence allowed: the silences and Open runbook, no Acknowledge', () => {
    expect(idsOf(alarmButtons(alarm(), policy({ silence: PLATFORM })))).toEqual(['silence-1h', 'silence-4h', 'runbook']);
  });

  it('an alarm that does not page (no dedup_key) has no Acknowledge even when the policy allows it', () => {
    expect(idsOf(alarmButtons(alarm({ dedupKey: undefined }), policy({ acknowledge: ONCALL, silence: ONCALL })))).toEqual(['silence-1h', 'silence-4h', 'runbook']);
  });

  it('every button but the runbook is one slackActions knows, and the policy entry it is checked against', () => {
    const ids = idsOf(alarmButtons(alarm(), policy({ acknowledge: ONCALL, silence: ONCALL }))).filter((id) => id !== 'runbook');

    expect(ids.map((id) => ACTION_OF_BUTTON[id ?? ''])).toEqual(['acknowledge', 'silence', 'silence']);
  });

  it('action ids are unique within the block (Slack refuses a block with two alike)', () => {
    const ids = idsOf(alarmButtons(alarm(), policy({ acknowledge: ONCALL, silence: ONCALL })));

    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every value fits in a button (Slack takes 2000 characters), even for the longest alarm name CloudWatch allows', () => {
    const longest = 'A'.repeat(255);
    const block = alarmButtons(alarm({ alarmName: longest, dedupKey: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${longest}` }), policy({ acknowledge: ONCALL, silence: ONCALL }));

    for (const b of buttonsOf(block)) expect((b.value ?? '').length).toBeLessThanOrEqual(2000);
  });
});

describe('buttonAction', () => {
  const allButtons = () => buttonsOf(alarmButtons(alarm(), policy({ acknowledge: ONCALL, silence: ONCALL }))).filter((b) => b.action_id !== 'runbook');

  it('each button alarmButtons makes reads back as its action: the alarm, the dedup_key, the hours', () => {
    expect(allButtons().map((b) => buttonAction(b.action_id ?? '', b.value))).toEqual([
      { kind: 'acknowledge', alarm: ALARM, dedupKey: DEDUP_KEY },
      ...SILENCE_BUTTON_HOURS.map((hours) => ({ kind: 'silence', alarm: ALARM, hours })),
    ]);
  });

  it('an alarm name with quotes, backslashes and non-ASCII characters round-trips unchanged', () => {
    const name = 'Prédiction "p95" \\ 延迟 <script>';
    const block = alarmButtons(alarm({ alarmName: name, dedupKey: `key-${name}` }), policy({ acknowledge: ONCALL, silence: ONCALL }));

    expect(buttonAction('acknowledge', button(block, 'acknowledge').value)).toEqual({ kind: 'acknowledge', alarm: name, dedupKey: `key-${name}` });
    expect(buttonAction('silence-4h', button(block, 'silence-4h').value)).toEqual({ kind: 'silence', alarm: name, hours: 4 });
  });

  const refused = (actionId: string, value: string | undefined) => expect(buttonAction(actionId, value)).toEqual({ unknown: expect.any(String) });

  it.each([
    ['no value', undefined],
    ['an empty value', ''],
    ['not JSON', '{alarm: x}'],
    ['truncated JSON', '{"alarm":"RetailPrediction-HighErrorRate","dedupKey":"k"'],
    ['a JSON string', JSON.stringify(ALARM)],
    ['a JSON number', '42'],
    ['a JSON array', JSON.stringify([ALARM])],
    ['an object with no alarm', JSON.stringify({ dedupKey: DEDUP_KEY })],
    ['an empty alarm name', JSON.stringify({ alarm: '', dedupKey: DEDUP_KEY })],
    ['an alarm that is not a string', JSON.stringify({ alarm: 7, dedupKey: DEDUP_KEY })],
    ['no dedup_key', JSON.stringify({ alarm: ALARM })],
    ['an empty dedup_key', JSON.stringify({ alarm: ALARM, dedupKey: '' })],
    ['a dedup_key that is not a string', JSON.stringify({ alarm: ALARM, dedupKey: 123 })],
  ])('Acknowledge with %s is refused', (_what, value) => {
    refused('acknowledge', value);
  });

  it.each([
    ['no hours', JSON.stringify({ alarm: ALARM })],
    ['hours that are not the button’s', JSON.stringify({ alarm: ALARM, hours: 4 })],
    ['hours as a string', JSON.stringify({ alarm: ALARM, hours: '1' })],
    ['a fraction of the hours', JSON.stringify({ alarm: ALARM, hours: 1.5 })],
    ['no alarm', JSON.stringify({ hours: 1 })],
    ['not JSON', 'hours=1'],
  ])('Silence 1 h with %s is refused', (_what, value) => {
    refused('silence-1h', value);
  });

  it.each([
    ['silence-2h', { alarm: ALARM, hours: 2 }],
    ['silence-24h', { alarm: ALARM, hours: 24 }],
    ['silence-0h', { alarm: ALARM, hours: 0 }],
    ['silence--1h', { alarm: ALARM, hours: -1 }],
    ['silence-1', { alarm: ALARM, hours: 1 }],
    ['SILENCE-1H', { alarm: ALARM, hours: 1 }],
    ['Acknowledge', { alarm: ALARM, dedupKey: DEDUP_KEY }],
    ['runbook', { alarm: ALARM }],
    ['scale-up', { alarm: ALARM }],
  ])('a button Firebreak does not make (%s) is refused, whatever its value', (actionId, value) => {
    refused(actionId, JSON.stringify(value));
  });
});
