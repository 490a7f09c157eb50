// Responder adapters: CloudWatch, for the metrics diagnose reads (GetMetricData).
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricsSource } from './diagnose';

/** The responder's CloudWatch client, one per container. */
export const cloudWatch = new CloudWatchClient({ maxAttempts: 3 });

/** The real source: exactly one GetMetricData request, whatever the number of queries (up to 500 allowed). */
export const cloudWatchMetricsSource = (client: CloudWatchClient = cloudWatch): MetricsSource => ({
  async getMetricData(input) {
    const output = await client.send(new GetMetricDataCommand(input));
    return output.MetricDataResults ?? [];
  },
});
