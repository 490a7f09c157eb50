// Adapters: the three delivery channels behind one small interface each, wired from the configuration.
import type { Config } from '../config';
import { channelClients, type ChannelClientOptions } from '../channels/clients';
import type { ChannelName } from '../policy/schema';
import type { ChannelPayloads } from './plan';
import { slackAppNotifier, type SlackAppDeps, type SlackNotifier } from './slack-app';

/** Delivers one channel's payload or throws (a DeliveryError says whether retrying can help). */
export interface Notifier<P> {
  send(payload: P): Promise<void>;
}

export type Notifiers = { readonly email: Notifier<ChannelPayloads['email']>; readonly slack: SlackNotifier; readonly pagerduty: Notifier<ChannelPayloads['pagerduty']> };

/** The SSM reader, SNS client and retry policy the notifiers send with (see ChannelClientOptions). */
export type NotifierOptions = ChannelClientOptions;

/**
 * The real notifiers, over the shared channel clients. Secrets are resolved at send time (cached), so a
 * rotated secret is picked up. With `slackApp` (a bot token and the policy's slackApp), Slack is the app's
 * threads; otherwise the webhook.
 */
export function createNotifiers(config: Config, options: NotifierOptions = {}, slackApp?: SlackAppDeps): Notifiers {
  const clients = channelClients(config, options);
  return {
    email: { send: (payload) => clients.email.publish(payload) },
    // The formatter's attachments are read-only; the webhook's type wants its own array.
    slack: slackApp ? slackAppNotifier(slackApp) : { send: (payload) => clients.slack.post({ text: payload.text, attachments: [...payload.attachments] }) },
    pagerduty: { send: (payload) => clients.pagerduty.send(payload) },
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
    if (channel === 'slack' && config.slackWebhook.kind === 'none' && config.slackBotToken.kind === 'none') {
      missing.push('slack (SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM, or the app: SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_PARAM)');
    }
    if (channel === 'pagerduty' && config.pagerDutyRoutingKey.kind === 'none') missing.push('pagerduty (PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM)');
  }
  return missing;
}
