// Adapters: the three delivery channels behind one small interface each, wired from the configuration.
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import { publishEmail } from '../channels/email';
import { sendPagerDutyEvent } from '../channels/pagerduty';
import { postSlackMessage } from '../channels/slack';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../delivery/retry';
import type { ChannelName } from '../policy/schema';
import { resolveSecret, ssmSecretReader, type SecretReader } from '../secrets';
import type { ChannelPayloads } from './plan';

/** Delivers one channel's payload or throws (a DeliveryError says whether retrying can help). */
export interface Notifier<P> {
  send(payload: P): Promise<void>;
}

export type Notifiers = { [C in ChannelName]: Notifier<ChannelPayloads[C]> };

export interface NotifierOptions {
  readonly secrets?: SecretReader;
  readonly sns?: SNSClient;
  readonly retry?: RetryPolicy;
}

/** The real notifiers. Secrets are resolved at send time (cached), so a rotated secret is picked up. */
export function createNotifiers(config: Config, options: NotifierOptions = {}): Notifiers {
  const secrets = options.secrets ?? ssmSecretReader;
  const retry = options.retry ?? { ...DEFAULT_RETRY_POLICY, maxAttempts: config.deliveryMaxAttempts };
  const secret = async (source: Config['slackWebhook'], variables: string) => {
    const value = await resolveSecret(source, secrets);
    if (!value) throw new ConfigError(`${variables} must be set to deliver to this channel`);
    return value;
  };
  return {
    email: {
      async send(payload) {
        if (!config.emailTopicArn) throw new ConfigError('EMAIL_TOPIC_ARN must be set to deliver email');
        await publishEmail(config.emailTopicArn, payload, options.sns);
      },
    },
    slack: {
      async send(payload) {
        const url = await secret(config.slackWebhook, 'SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM');
        await postSlackMessage(url, { text: payload.text, attachments: [...payload.attachments] }, { retry, timeoutMs: config.httpTimeoutMs });
      },
    },
    pagerduty: {
      async send(payload) {
        const key = await secret(config.pagerDutyRoutingKey, 'PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM');
        await sendPagerDutyEvent(payload, key, { eventsUrl: config.pagerDutyEventsUrl, timeoutMs: config.httpTimeoutMs, retry });
      },
    },
  };
}

/**
 * The channels the policy routes to that the configuration cannot reach. Checked at cold start so
 * a deployed stage with a missing setting fails loudly before any alarm arrives.
 */
export function unconfiguredChannels(config: Config, channels: Iterable<ChannelName>): string[] {
  const missing: string[] = [];
  for (const channel of new Set(channels)) {
    if (channel === 'email' && !config.emailTopicArn) missing.push('email (EMAIL_TOPIC_ARN)');
    if (channel === 'slack' && config.slackWebhook.kind === 'none') missing.push('slack (SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM)');
    if (channel === 'pagerduty' && config.pagerDutyRoutingKey.kind === 'none') missing.push('pagerduty (PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM)');
  }
  return missing;
}
