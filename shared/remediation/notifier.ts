// Adapter: tells people why a remediation did not happen — Slack always, PagerDuty too when the rule is critical.
import type { Config } from '../config';
import { ConfigError, InvocationFailedError } from '../errors';
import { sendPagerDutyEvent } from '../channels/pagerduty';
import { postSlackMessage, safeSlackText } from '../channels/slack';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../delivery/retry';
import { logger } from '../logger';
import type { PagerDutyEvent } from '../notify/format/pagerduty';
import { resolveSecret, ssmSecretReader, type SecretReader } from '../secrets';
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
 * The real RefusalNotifier over the notify channels: Slack for every notice, PagerDuty as well when
 * the notice is critical. Both are attempted; if either fails after its retries, the call throws.
 */
export function channelRefusalNotifier(config: Config, options: { secrets?: SecretReader; retry?: RetryPolicy } = {}): RefusalNotifier {
  const secrets = options.secrets ?? ssmSecretReader;
  const retry = options.retry ?? { ...DEFAULT_RETRY_POLICY, maxAttempts: config.deliveryMaxAttempts };
  return {
    async tell(notice) {
      await loggingRefusalNotifier.tell(notice);
      const deliveries: { channel: string; run: () => Promise<unknown> }[] = [
        {
          channel: 'slack',
          run: async () => {
            const url = await resolveSecret(config.slackWebhook, secrets);
            if (!url) throw new ConfigError('SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM must be set to tell people about refused remediations');
            await postSlackMessage(url, { text: safeSlackText(refusalText(notice), SLACK_TEXT_MAX) }, { retry, timeoutMs: config.httpTimeoutMs });
          },
        },
      ];
      if (notice.critical) {
        deliveries.push({
          channel: 'pagerduty',
          run: async () => {
            const key = await resolveSecret(config.pagerDutyRoutingKey, secrets);
            if (!key) throw new ConfigError('PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM must be set to page about refused remediations');
            await sendPagerDutyEvent(refusalPage(notice, config.stage), key, { eventsUrl: config.pagerDutyEventsUrl, timeoutMs: config.httpTimeoutMs, retry });
          },
        });
      }
      const settled = await Promise.allSettled(deliveries.map((d) => d.run()));
      const failures = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [{ what: deliveries[i]?.channel ?? 'unknown', error: s.reason }] : [],
      );
      if (failures.length > 0) throw new InvocationFailedError(failures);
    },
  };
}
