// Responder adapters: CloudWatch, for the metrics diagnose reads (GetMetricData) and the alarms it reads them by (DescribeAlarms).
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { MetricsSource } from './diagnose';

/** The responder's CloudWatch client, one per container. */
export const cloudWatch = new CloudWatchClient({ maxAttempts: 3 });

/**
 * The real source: one GetMetricData request, whatever the number of queries (up to 500 allowed), and
 * its further pages when CloudWatch returns a NextToken (more datapoints than one answer holds). A query
 * whose points all fell on a later page would otherwise read as "no datapoints".
 */
export const cloudWatchMetricsSource = (client: CloudWatchClient = cloudWatch): MetricsSource => ({
  async getMetricData(input) {
    const byId = new Map<string, MetricDataResult>();
    const unnamed: MetricDataResult[] = [];
    let NextToken: string | undefined;
    do {
      const output = await client.send(new GetMetricDataCommand({ ...input, NextToken }));
      for (const result of output.MetricDataResults ?? []) {
        if (result.Id === undefined) {
          unnamed.push(result);
          continue;
        }
        const seen = byId.get(result.Id);
        // A later page continues a query's series: its points are appended to those already read.
        byId.set(result.Id, seen ? { ...result, Timestamps: [...(seen.Timestamps ?? []), ...(result.Timestamps ?? [])], Values: [...(seen.Values ?? []), ...(result.Values ?? [])] } : result);
      }
      NextToken = output.NextToken;
    } while (NextToken);
    return [...byId.values(), ...unnamed];
  },

  /** One DescribeAlarms for all the names (at most 100), following NextToken. */
  async describeAlarms(names) {
    const alarms: MetricAlarm[] = [];
    let NextToken: string | undefined;
    do {
      const output = await client.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'], NextToken }));
      alarms.push(...(output.MetricAlarms ?? []));
      NextToken = output.NextToken;
    } while (NextToken);
    return alarms;
  },
});
