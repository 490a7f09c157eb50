// Adapter: Slack for the functions that tell people about an alarm after notify did (remediation refusals, the responder's
// decisions) — in app mode a reply in the alarm's thread, so the incident's story stays in one place; otherwise the webhook.
import { slackAppFor, slackClient, type ChannelClientOptions, type SlackClient } from '../channels/clients';
import type { SlackAppClient, SlackAppMessage } from '../channels/slack-app';
import type { SlackMessage } from '../channels/slack';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import type { Policy, SlackAppPolicy } from '../policy/schema';
import type { MetricWidget } from './graph';
import { uploadGraph } from './thread-graph';
import type { SlackThreads } from './threads';

/** A graph to draw under a message: its title and the widget CloudWatch draws. */
export interface GraphRequest {
  readonly title: string;
  readonly widget: MetricWidget;
}

/** Draws a widget as a PNG (CloudWatch GetMetricWidgetImage); throws saying why it could not. */
export type DrawWidget = (widget: MetricWidget, what: string) => Promise<Uint8Array>;

/**
 * Posts one message, about an alarm when it names one, with graphs under it where Slack can take files (the
 * app). Throws when the message could not be posted after the client's retries; a graph never makes it throw.
 */
export interface AlarmSlack {
  post(message: SlackMessage, alarm?: string, graphs?: readonly GraphRequest[]): Promise<void>;
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
 * the message names none; then each graph, drawn with `draw`, uploaded under it (none without `draw`).
 */
export function threadedAlarmSlack(client: Pick<SlackAppClient, 'post' | 'upload'>, threads: Pick<SlackThreads, 'get'>, defaultChannel: string, draw?: DrawWidget): AlarmSlack {
  return {
    async post(message, alarm, graphs = []) {
      const thread = alarm === undefined ? undefined : await threads.get(alarm);
      const posted = thread ? await client.post(thread.channel, asAppMessage(message), thread.ts) : await client.post(defaultChannel, asAppMessage(message));
      if (!draw) return;
      // Under the message: in its thread, or in the thread the message itself starts.
      const channel = thread?.channel ?? posted.channel;
      const threadTs = thread?.ts ?? posted.ts;
      for (const graph of graphs) {
        await uploadGraph(client, channel, threadTs, {
          of: graph.title,
          filename: `${graph.title.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`,
          draw: async () => ({ png: await draw(graph.widget, graph.title), title: graph.title }),
        });
      }
    },
  };
}

/** Every post through the incoming webhook (the alarm is in the text already; a webhook takes no files, so no graphs). */
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
  options: Pick<ChannelClientOptions, 'secrets' | 'retry'> & { readonly draw?: DrawWidget } = {},
): AlarmSlack {
  const slackApp = slackAppPolicyOf(config, notify);
  if (!slackApp) return webhookAlarmSlack(slackClient(config, options));
  return threadedAlarmSlack(slackAppFor(config, options), threads(), slackApp.defaultChannel, options.draw);
}
