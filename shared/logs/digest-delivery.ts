// Wiring, loaded with `import()` by the first batch with a digest to send: the AWS-backed adapters of the Slack error digest.
import { slackClient } from '../channels/clients';
import type { SecretSource } from '../config';
import type { RetryPolicy } from '../delivery/retry';
import { dynamoDigestGate } from './digest-gate';
import type { DigestDelivery } from './forward';

/** What the digest's adapters need; checked at cold start by `createForwardDependencies`, before this module is loaded. */
export interface DigestDeliverySettings {
  /** STATE_TABLE, where each log group's rate limit lives. */
  readonly tableName: string;
  /** The Slack webhook, given directly or as an SSM SecureString name (resolved, and cached, at each post). */
  readonly webhook: Exclude<SecretSource, { kind: 'none' }>;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
}

/**
 * The real digest adapters: the DynamoDB rate-limit gate on `tableName` and a Slack post to the
 * webhook. This module (and through it the DynamoDB and SSM clients) is evaluated only when loaded.
 */
export function digestDelivery(settings: DigestDeliverySettings): DigestDelivery {
  const slack = slackClient({ slackWebhook: settings.webhook, httpTimeoutMs: settings.timeoutMs }, { retry: settings.retry });
  return {
    gate: dynamoDigestGate(settings.tableName),
    post: (message) => slack.post(message),
  };
}
