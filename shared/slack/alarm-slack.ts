// Adapter: Slack for the functions that tell people about an alarm after notify did (remediation refusals, the responder's
// decisions) — in app mode a reply in the alarm's thread, so the incident's story stays in one place; otherwise the webhook.
import { slackAppFor, slackClient, type ChannelClientOptions, type SlackClient } from '../channels/clients';
import type { SlackAppClient, SlackAppMessage } from '../channels/slack-app';
import type { SlackMessage } from '../channels/slack';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import type { Policy, SlackAppPolicy } from '../policy/schema';
import type { SlackThreads } from './threads';

/** Posts one message, about an alarm when it names one. Throws when Slack could not be reached after the client's retries. */
export interface AlarmSlack {
  post(message: SlackMessage, alarm?: string): Promise<void>;
}

/** The Web API's view of a webhook message: the same text, blocks and attachments. */
const asAppMessage = (message: SlackMessage): SlackAppMessage => ({
  text: message.text,
  ...(message.blocks ? { blocks: message.blocks as SlackAppMessage['blocks'] } : {}),
  ...(message.attachments ? { attachments: message.attachments as SlackAppMessage['attachments'] } : {}),
});

/**
 * In app mode: a reply in the thread notify opened for the alarm (open or closed: a refusal that comes after the
 * OK still belongs to that incident), or a post in the policy's default channel when the alarm has no thread or
 * the message names none.
 */
export function threadedAlarmSlack(client: Pick<SlackAppClient, 'post'>, threads: Pick<SlackThreads, 'get'>, defaultChannel: string): AlarmSlack {
  return {
    async post(message, alarm) {
      const thread = alarm === undefined ? undefined : await threads.get(alarm);
      if (thread) await client.post(thread.channel, asAppMessage(message), thread.ts);
      else await client.post(defaultChannel, asAppMessage(message));
    },
  };
}

/** Every post through the incoming webhook (the alarm is in the text already). */
export const webhookAlarmSlack = (slack: SlackClient): AlarmSlack => ({ post: (message) => slack.post(message) });

/**
 * The policy's notify.slackApp when a bot token is configured (app mode), undefined without one (the webhook).
 * A token without notify.slackApp fails at cold start: nothing would say which channel to post to.
 */
export function slackAppPolicyOf(config: Pick<Config, 'slackBotToken' | 'stage'>, notify: Pick<Policy['notify'], 'slackApp'>): SlackAppPolicy | undefined {
  if (config.slackBotToken.kind === 'none') return undefined;
  if (!notify.slackApp) throw new ConfigError(`SLACK_BOT_TOKEN${config.slackBotToken.kind === 'parameter' ? '_PARAM' : ''} is set, but the ${config.stage} policy has no notify.slackApp saying which channel to post to`);
  return notify.slackApp;
}

/**
 * The Slack a function tells people through, by the configuration: the app in app mode, the webhook otherwise.
 * `threads` is where notify keeps each alarm's thread (STATE_TABLE), built only in app mode.
 */
export function alarmSlackFor(
  config: Config,
  notify: Pick<Policy['notify'], 'slackApp'>,
  threads: () => Pick<SlackThreads, 'get'>,
  options: Pick<ChannelClientOptions, 'secrets' | 'retry'> = {},
): AlarmSlack {
  const slackApp = slackAppPolicyOf(config, notify);
  if (!slackApp) return webhookAlarmSlack(slackClient(config, options));
  return threadedAlarmSlack(slackAppFor(config, options), threads(), slackApp.defaultChannel);
}
