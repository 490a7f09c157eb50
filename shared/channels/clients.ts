// Adapters: the one client per channel (email, Slack, PagerDuty) that every function sends through, wired from the configuration.
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Config, SecretSource } from '../config';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../delivery/retry';
import { ConfigError } from '../errors';
import type { EmailMessage } from '../notify/format/email';
import type { PagerDutyEvent } from '../notify/format/pagerduty';
import { resolveSecret, ssmSecretReader, type SecretReader } from '../secrets';
import { publishEmail } from './email';
import { sendPagerDutyEvent } from './pagerduty';
import { postSlackMessage, type SlackMessage } from './slack';
import type { SlackAppClient } from './slack-app';
import { loadOnce } from '../load-once';

/** Publishes to the email topic, whose subscriptions are people's inboxes. */
export interface EmailClient {
  publish(message: EmailMessage): Promise<void>;
}

/** Posts to the Slack incoming webhook. */
export interface SlackClient {
  post(message: SlackMessage): Promise<void>;
}

/** Sends an Events API v2 event (trigger or resolve) to PagerDuty. */
export interface PagerDutyClient {
  send(event: PagerDutyEvent): Promise<void>;
}

/** Every channel's client. Each throws when it could not deliver (a DeliveryError says whether retrying can help). */
export interface ChannelClients {
  readonly email: EmailClient;
  readonly slack: SlackClient;
  readonly pagerduty: PagerDutyClient;
}

/** How the clients send, beyond the configuration; tests and benchmarks pass their own. */
export interface ChannelClientOptions {
  /** Where secrets given as SSM parameter names are read (cached, see shared/secrets.ts); SSM unless given. */
  readonly secrets?: SecretReader;
  /** The SNS client email is published with; the module's own unless given. */
  readonly sns?: SNSClient;
  /** The retry policy of every post; DEFAULT_RETRY_POLICY with `deliveryMaxAttempts` unless given. */
  readonly retry?: RetryPolicy;
}

/** What the HTTP clients read of the configuration: the per-attempt timeout and, optionally, the attempts (the default policy's without). */
export type SendSettings = Pick<Config, 'httpTimeoutMs'> & Partial<Pick<Config, 'deliveryMaxAttempts'>>;

/** What `channelClients` reads of the configuration (a Config is one). */
export type ChannelConfig = Pick<Config, 'slackWebhook' | 'pagerDutyRoutingKey' | 'pagerDutyEventsUrl' | 'emailTopicArn' | 'httpTimeoutMs' | 'deliveryMaxAttempts'>;

/** The three clients over one configuration. */
export function channelClients(config: ChannelConfig, options: ChannelClientOptions = {}): ChannelClients {
  return { email: emailClient(config, options), slack: slackClient(config, options), pagerduty: pagerDutyClient(config, options) };
}

/** Email through SNS; throws ConfigError at publish time when EMAIL_TOPIC_ARN is unset. */
export function emailClient(config: Pick<Config, 'emailTopicArn'>, options: Pick<ChannelClientOptions, 'sns'> = {}): EmailClient {
  return {
    async publish(message) {
      if (!config.emailTopicArn) throw new ConfigError('EMAIL_TOPIC_ARN must be set to deliver email');
      await publishEmail(config.emailTopicArn, message, options.sns);
    },
  };
}

/**
 * Slack through the incoming webhook. The webhook is resolved at each post (cached), so a rotated
 * secret is picked up; unset, the post throws ConfigError naming both variables.
 */
export function slackClient(config: Pick<Config, 'slackWebhook'> & SendSettings, options: Omit<ChannelClientOptions, 'sns'> = {}): SlackClient {
  const retry = retryPolicy(config, options);
  return {
    async post(message) {
      const url = await secret(config.slackWebhook, 'SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM', 'post to Slack', options.secrets);
      await postSlackMessage(url, message, { retry, timeoutMs: config.httpTimeoutMs });
    },
  };
}

/**
 * The Slack app's Web API client, as the bot: its token resolved at each call (cached), like the webhook.
 * `@slack/web-api` is loaded on first use: a stage on the webhook never evaluates it at cold start, and a
 * function that never posts as the app does not carry it in its bundle.
 */
export function slackAppFor(config: Pick<Config, 'slackBotToken' | 'slackApiUrl' | 'httpTimeoutMs' | 'deliveryMaxAttempts'>, options: Pick<ChannelClientOptions, 'secrets'> = {}): SlackAppClient {
  const client = loadOnce(async () =>
    (await import('./slack-app')).slackAppClient(() => secret(config.slackBotToken, 'SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_PARAM', 'post as the Slack app', options.secrets), {
      apiUrl: config.slackApiUrl,
      timeoutMs: config.httpTimeoutMs,
      // The same attempts as every other channel: the first and deliveryMaxAttempts - 1 more.
      retries: config.deliveryMaxAttempts - 1,
    }),
  );
  return {
    post: async (...args) => (await client()).post(...args),
    update: async (...args) => (await client()).update(...args),
    upload: async (...args) => (await client()).upload(...args),
    usersOfGroup: async (...args) => (await client()).usersOfGroup(...args),
    respond: async (...args) => (await client()).respond(...args),
  };
}

/** PagerDuty's Events API v2. The routing key is resolved at each send (cached), like Slack's webhook. */
export function pagerDutyClient(config: Pick<Config, 'pagerDutyRoutingKey' | 'pagerDutyEventsUrl'> & SendSettings, options: Omit<ChannelClientOptions, 'sns'> = {}): PagerDutyClient {
  const retry = retryPolicy(config, options);
  return {
    async send(event) {
      const key = await secret(config.pagerDutyRoutingKey, 'PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM', 'send to PagerDuty', options.secrets);
      await sendPagerDutyEvent(event, key, { eventsUrl: config.pagerDutyEventsUrl, timeoutMs: config.httpTimeoutMs, retry });
    },
  };
}

function retryPolicy(config: SendSettings, options: Pick<ChannelClientOptions, 'retry'>): RetryPolicy {
  return options.retry ?? { ...DEFAULT_RETRY_POLICY, maxAttempts: config.deliveryMaxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts };
}

async function secret(source: SecretSource, variables: string, purpose: string, reader: SecretReader = ssmSecretReader): Promise<string> {
  const value = await resolveSecret(source, reader);
  if (!value) throw new ConfigError(`${variables} must be set to ${purpose}`);
  return value;
}
