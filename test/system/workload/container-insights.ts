// System suite: Container Insights' node metrics for the cluster (an external producer, by declaration).
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** Publishes node CPU and memory utilisation (percent, by ClusterName) for each of the last `minutes` minutes, as the agent does. */
export async function publishNodeMetrics(cloudWatch: CloudWatchClient, cluster: string, reading: { cpuPercent: number; memoryPercent: number }, minutes: number, now = new Date()): Promise<void> {
  const dimensions = [{ Name: 'ClusterName', Value: cluster }];
  const data = [];
  for (let m = minutes - 1; m >= 0; m--) {
    const Timestamp = new Date(now.getTime() - m * 60_000);
    data.push(
      { MetricName: 'node_cpu_utilization', Dimensions: dimensions, Value: reading.cpuPercent, Unit: 'Percent' as const, Timestamp },
      { MetricName: 'node_memory_utilization', Dimensions: dimensions, Value: reading.memoryPercent, Unit: 'Percent' as const, Timestamp },
    );
  }
  for (let i = 0; i < data.length; i += 500) await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'ContainerInsights', MetricData: data.slice(i, i + 500) }));
}
