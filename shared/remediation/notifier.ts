// Adapter: tells people why a remediation did not happen — Slack always, PagerDuty too when the rule is critical.
import type { Config } from '../config';
import { pagerDutyClient, slackClient, type ChannelClientOptions } from '../channels/clients';
import { safeSlackText } from '../channels/slack-text';
import { deliverAll, type ChannelDelivery } from '../delivery/deliver-once';
import { logger } from '../logger';
import type { PagerDutyEvent } from '../notify/format/pagerduty';
import { webhookAlarmSlack, type AlarmSlack } from '../slack/alarm-slack';
import { sliceWhole } from '../text';
import type { RefusalNotice, RefusalNotifier } from './types';

const SLACK_TEXT_MAX = 3_000;

/** The text of a refusal notice, the same on every channel. */
export function refusalText(notice: RefusalNotice): string {
  const what = notice.guard === 'in-progress' ? 'did not run: another change is already in progress' : `was refused by the ${notice.guard} guard`;
  return `Firebreak: ${notice.action} on ${notice.target} for ${notice.alarm} (${notice.alarmState}) ${what}. ${notice.reason}`;
}

/** The PagerDuty trigger for a refusal; deduplicated per alarm and target so a storm is one incident. */
export function refusalPage(notice: RefusalNotice, stage: string): PagerDutyEvent {
  return {
    event_action: 'trigger',
    dedup_key: `firebreak:remediation:${notice.alarm}:${notice.target}`,
    payload: {
      // Cut between characters: half an emoji would leave a lone surrogate in the event's JSON.
      summary: sliceWhole(refusalText(notice), 1024),
      source: 'firebreak',
      severity: 'critical',
      class: 'remediation-refused',
      component: notice.target,
      custom_details: { ...notice, stage },
    },
  };
}

/** Logs refusals only; what a dry run uses, since it posts nothing. */
export const loggingRefusalNotifier: RefusalNotifier = {
  async tell(notice) {
    logger.warn(refusalText(notice), { alarm: notice.alarm, target: notice.target, guard: notice.guard, critical: notice.critical });
  },
};

/**
 * The real RefusalNotifier over the notify channels: Slack for every notice (in app mode, in the alarm's
 * thread; `slack` says which), PagerDuty as well when the notice is critical. Both are attempted; if
 * either fails after its retries, the call throws.
 */
export function channelRefusalNotifier(
  config: Config,
  options: Pick<ChannelClientOptions, 'secrets' | 'retry'> = {},
  slack: AlarmSlack = webhookAlarmSlack(slackClient(config, options)),
): RefusalNotifier {
  const pagerduty = pagerDutyClient(config, options);
  return {
    async tell(notice) {
      await loggingRefusalNotifier.tell(notice);
      const deliveries: ChannelDelivery[] = [{ channel: 'slack', send: () => slack.post({ text: safeSlackText(refusalText(notice), SLACK_TEXT_MAX) }, notice.alarm) }];
      if (notice.critical) deliveries.push({ channel: 'pagerduty', send: () => pagerduty.send(refusalPage(notice, config.stage)) });
      // Without a delivery record (as before): each refusal is told, one refused again on Lambda's retry included.
      await deliverAll(deliveries);
    },
  };
}
