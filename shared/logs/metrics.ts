// Log forwarding, observability: per-batch counts and latencies as CloudWatch Embedded Metric Format lines.
import { ERROR_LEVELS, type LogRecord } from './model';

/** EMF accepts at most this many values per metric in one document. */
export const EMF_MAX_VALUES = 100;

/** What happened to the events of one batch. */
export interface BatchCounts {
  readonly received: number;
  readonly forwarded: number;
  readonly filtered: number;
  readonly redacted: number;
  readonly duplicates: number;
  readonly failed: number;
}

type Unit = 'Count' | 'Milliseconds' | 'None' | 'Bytes';

const SERIES: Record<string, { readonly unit: Unit; readonly from: (fields: Record<string, unknown>) => unknown }> = {
  InferenceLatency: { unit: 'Milliseconds', from: (f) => f.latencyMs ?? f.latency_ms ?? f.inferenceLatencyMs },
  TrainingLoss: { unit: 'None', from: (f) => f.loss },
  TrainingAccuracy: { unit: 'None', from: (f) => f.accuracy },
  ValidationAccuracy: { unit: 'None', from: (f) => f.validationAccuracy ?? f.val_accuracy },
};

const SERIES_READERS = Object.entries(SERIES).map(([name, { from }]) => [name, from] as const);

/**
 * Collects, record by record, what a batch's metrics need: error and request counts and the values
 * of inference latency and training loss/accuracy. Emitted as a few EMF documents per batch, never
 * one API call per event.
 */
export class MetricsCollector {
  private errors = 0;
  private requests = 0;
  private readonly series = new Map<string, NumberSeries>();

  add(record: LogRecord): void {
    if (ERROR_LEVELS.has(record.level)) this.errors++;
    if (record.message.startsWith('API Request')) this.requests++;
    for (const [name, from] of SERIES_READERS) {
      const value = from(record.fields);
      if (typeof value === 'number' && Number.isFinite(value)) {
        let values = this.series.get(name);
        if (!values) this.series.set(name, (values = new NumberSeries()));
        values.push(value);
      }
    }
  }

  /**
   * EMF documents (one JSON string per line to print) for the batch: counts in the first, value
   * series split so no metric carries more than EMF_MAX_VALUES values in one document.
   */
  toEmf(context: { namespace: string; service: string; logGroup: string; counts: BatchCounts; extra?: Record<string, number>; now: number }): string[] {
    const { counts } = context;
    const base = { Service: context.service, LogGroup: context.logGroup };
    const countMetrics: Record<string, number> = {
      ReceivedEvents: counts.received,
      ForwardedEvents: counts.forwarded,
      FilteredEvents: counts.filtered,
      RedactedEvents: counts.redacted,
      DuplicateEvents: counts.duplicates,
      FailedEvents: counts.failed,
      ErrorEvents: this.errors,
      RequestEvents: this.requests,
    };
    const documents = [
      emf(context.namespace, context.now, base, [
        ...Object.entries(countMetrics).map(([name, value]) => ({ name, unit: 'Count' as Unit, value })),
        ...Object.entries(context.extra ?? {}).map(([name, value]) => ({ name, unit: name.endsWith('Bytes') ? ('Bytes' as Unit) : ('Milliseconds' as Unit), value })),
      ]),
    ];
    for (const [name, values] of this.series) {
      const unit = SERIES[name]?.unit ?? 'None';
      for (let i = 0; i < values.length; i += EMF_MAX_VALUES) {
        documents.push(emf(context.namespace, context.now, base, [{ name, unit, value: values.slice(i, i + EMF_MAX_VALUES) }]));
      }
    }
    return documents;
  }

  get errorCount(): number {
    return this.errors;
  }
}

/**
 * A growing list of numbers kept outside V8's heap (a typed array's memory): a batch's ten thousand
 * latencies then never have to be copied by the young-generation garbage collector.
 */
class NumberSeries {
  private values = new Float64Array(256);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** Values `start` to `end` (exclusive), as a plain array. */
  slice(start: number, end: number): number[] {
    return Array.from(this.values.subarray(start, Math.min(end, this.length)));
  }
}

function emf(
  namespace: string,
  timestamp: number,
  dimensions: Record<string, string>,
  metrics: readonly { name: string; unit: Unit; value: number | number[] }[],
): string {
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Service'], ['LogGroup']],
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
  };
  for (const metric of metrics) document[metric.name] = metric.value;
  return JSON.stringify(document);
}
