// Log forwarding entry: one subscription delivery decoded and forwarded, and the real dependencies wired from settings.
import { slackClient } from '../channels/clients';
import { type Config, required } from '../config';
import { DEFAULT_RETRY_POLICY } from '../delivery/retry';
import { ConfigError, InvalidInputError } from '../errors';
import { logger } from '../logger';
import { decodeLogsEventInSlices } from './decode';
import { type ForwardDependencies, type ForwardSummary, forwardLogBatch } from './forward';
import { dynamoDigestGate } from './digest-gate';
import { groupsCoveringOwnLogGroup, type LogsPolicy, ownLogGroup } from './policy';
import { httpLogSink } from './sink';

/**
 * The real dependencies for `settings` and `logsPolicy`, checked now so a missing setting fails the
 * cold start rather than a batch: LOG_SINK_URL always, STATE_TABLE and a Slack webhook when digests
 * are enabled; none of them in dry run, where nothing is sent.
 */
export function createForwardDependencies(settings: Config, logsPolicy: LogsPolicy): ForwardDependencies {
  for (const group of groupsCoveringOwnLogGroup(logsPolicy, settings.functionName)) {
    const details = { match: group.match, logGroup: ownLogGroup(settings.functionName ?? '') };
    // Naming the group outright is a mistake to fix; a prefix that happens to cover it is only worth a note.
    if (group.match.endsWith('*')) logger.warn('The logs policy covers this function\'s own log group by prefix; its events will not be forwarded', details);
    else logger.error('The logs policy names this function\'s own log group; its events will not be forwarded', details);
  }
  const retry = { ...DEFAULT_RETRY_POLICY, maxAttempts: settings.deliveryMaxAttempts };
  const common = {
    policy: logsPolicy,
    region: settings.region,
    functionName: settings.functionName,
    dryRun: settings.dryRun,
    writeMetric: (line: string) => void process.stdout.write(`${line}\n`),
    log: logger,
  };
  if (settings.dryRun) return common;
  const sink = httpLogSink({
    url: required(settings.logSinkUrl, 'LOG_SINK_URL'),
    mode: logsPolicy.sink.mode,
    compressionLevel: logsPolicy.sink.compressionLevel,
    timeoutMs: settings.httpTimeoutMs,
    retry,
  });
  if (!logsPolicy.digest.enabled) return { ...common, sink };
  if (settings.slackWebhook.kind === 'none') {
    throw new ConfigError('SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM must be set while logs.digest.enabled is true');
  }
  // The rate limit per log group lives in STATE_TABLE; the digest posts through the one Slack client.
  const slack = slackClient(settings, { retry });
  return { ...common, sink, digest: { gate: dynamoDigestGate(required(settings.stateTable, 'STATE_TABLE')), post: (message) => slack.post(message) } };
}

/** What an invocation returns: the batch's summary, or the acknowledgement of a CONTROL_MESSAGE. */
export type ForwardLogsResult = ForwardSummary | { readonly skipped: 'control-message'; readonly logGroup: string };

/**
 * Decodes the delivery and forwards its batch. Corrupt input (no `awslogs`, bad base64, truncated
 * gzip) is logged and thrown, so Lambda's retry and the on-failure destination keep it.
 */
export async function handleLogsDelivery(event: unknown, deps: ForwardDependencies): Promise<ForwardLogsResult> {
  let decoded;
  try {
    decoded = decodeLogsEventInSlices(event);
  } catch (error) {
    if (error instanceof InvalidInputError) logger.error('Refused a corrupt CloudWatch Logs delivery', { reason: error.message });
    throw error;
  }
  if (decoded.kind === 'control') {
    logger.info('CONTROL_MESSAGE acknowledged', { logGroup: decoded.logGroup });
    return { skipped: 'control-message', logGroup: decoded.logGroup };
  }
  try {
    return await forwardLogBatch(decoded.batch, deps);
  } catch (error) {
    // Events are parsed a slice at a time, so a malformed one can surface while the batch is forwarded.
    if (error instanceof InvalidInputError) logger.error('Refused a corrupt CloudWatch Logs delivery', { reason: error.message });
    throw error;
  } finally {
    decoded.batch.release?.();
  }
}

