// Adapter: recognising an EventBridge schedule's invocation (`rate(...)` rules invoke a function with this event).

/** An EventBridge schedule (`rate(5 minutes)`) invocation. */
export function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; 'detail-type'?: unknown } | null;
  return e?.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
}
