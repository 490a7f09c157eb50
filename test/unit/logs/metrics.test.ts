// Unit: per-batch counts and latencies as CloudWatch Embedded Metric Format documents.
import { EMF_MAX_VALUES, MetricsCollector } from '../../../shared/logs/metrics';
import type { LogRecord } from '../../../shared/logs/model';
import { parseLogMessage } from '../../../shared/logs/parse';

const origin = { service: 'retail-api', logGroup: '/g', logStream: 's', owner: '1', region: 'us-east-1', id: '1', timestamp: 0 };
const record = (message: string): LogRecord => ({ ...parseLogMessage(message), ...origin });
const counts = { received: 10, forwarded: 7, filtered: 2, redacted: 1, duplicates: 1, failed: 0 };

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

describe('MetricsCollector', () => {
  it('writes the batch counts, errors and requests in one EMF document', () => {
    const metrics = new MetricsCollector();
    ['2026-03-02 09:00:00,000 [INFO] API Request: {"path":"/predict"}', '2026-03-02 09:00:00,000 [ERROR] API Error: {"status":500}', 'plain'].forEach((m) => metrics.add(record(m)));
    const [first, ...rest] = metrics.toEmf({ namespace: 'Firebreak/Logs', service: 'retail-api', logGroup: '/g', counts, extra: { ForwardDuration: 12, ForwardedBytes: 2048 }, now: 1_000 });
    expect(rest).toEqual([]);
    const emf = JSON.parse(first ?? '') as Emf;
    const directive = emf._aws.CloudWatchMetrics[0];
    expect(emf._aws.Timestamp).toBe(1_000);
    expect(directive?.Namespace).toBe('Firebreak/Logs');
    expect(directive?.Dimensions).toEqual([['Service'], ['LogGroup']]);
    expect(emf).toMatchObject({ Service: 'retail-api', LogGroup: '/g', ForwardedEvents: 7, FilteredEvents: 2, RedactedEvents: 1, FailedEvents: 0, ErrorEvents: 1, RequestEvents: 1, ForwardDuration: 12, ForwardedBytes: 2048 });
    // Every metric named in the directive has its value in the document.
    for (const metric of directive?.Metrics ?? []) expect(emf[metric.Name]).toEqual(expect.any(Number));
    expect(directive?.Metrics.find((m) => m.Name === 'ForwardedBytes')?.Unit).toBe('Bytes');
  });

  it('sends inference latency and training loss and accuracy as value arrays of at most 100 per document', () => {
    const metrics = new MetricsCollector();
    for (let i = 0; i < 250; i++) metrics.add(record(`2026-03-02 09:00:00,000 [INFO] Inference completed: latency=${i}.5ms, prediction=High`));
    metrics.add(record('epoch 1 loss: 0.42, accuracy: 0.88, validation accuracy: 0.86'));
    metrics.add(record('{"message":"x","latency_ms":7}'));
    const documents = metrics.toEmf({ namespace: 'N', service: 's', logGroup: '/g', counts, now: 0 }).map((d) => JSON.parse(d) as Emf);
    const latency = documents.filter((d) => 'InferenceLatency' in d).map((d) => d.InferenceLatency as number[]);
    expect(latency.map((values) => values.length)).toEqual([100, 100, 51]);
    expect(latency.flat()).toContain(7);
    expect(latency.every((values) => values.length <= EMF_MAX_VALUES)).toBe(true);
    expect(documents.find((d) => 'TrainingLoss' in d)).toMatchObject({ TrainingLoss: [0.42] });
    expect(documents.find((d) => 'TrainingAccuracy' in d)).toMatchObject({ TrainingAccuracy: [0.88] });
    expect(documents.find((d) => 'ValidationAccuracy' in d)).toMatchObject({ ValidationAccuracy: [0.86] });
    const unit = documents.find((d) => 'InferenceLatency' in d)?._aws.CloudWatchMetrics[0]?.Metrics[0]?.Unit;
    expect(unit).toBe('Milliseconds');
  });
});
