// Wiring: notify's dependencies — the routing policy, the channel notifiers and the delivery ledger — built from the configuration.
import { dynamoDb } from '../aws/dynamodb';
import { required, type Config } from '../config';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../delivery/ledger';
import { ConfigError } from '../errors';
import type { Policy } from '../policy/schema';
import type { FanOutDeps } from './fan-out';
import { createNotifiers, unconfiguredChannels } from './notifiers';

/**
 * notify's dependencies. Checked now (cold start), so a deployed stage with a missing setting fails
 * loudly before any alarm arrives: a channel the policy routes to that the configuration cannot reach,
 * or a live run without STATE_TABLE. A dry run writes nothing anywhere, the delivery ledger included.
 */
export function notifyDeps(config: Config, policy: Policy): FanOutDeps {
  const routed = [...policy.notify.routes.flatMap((r) => r.channels), ...policy.notify.defaultRoute.channels];
  const missing = unconfiguredChannels(config, routed);
  if (missing.length > 0 && !config.dryRun) {
    throw new ConfigError(`The ${config.stage} policy routes to channels that are not configured: ${missing.join(', ')}`);
  }
  return {
    policy: policy.notify,
    stage: config.stage,
    runbookBaseUrl: config.runbookBaseUrl,
    dryRun: config.dryRun,
    notifiers: createNotifiers(config),
    ledger: config.dryRun ? new InMemoryDeliveryLedger() : new DynamoDbDeliveryLedger(dynamoDb, required(config.stateTable, 'STATE_TABLE')),
  };
}
