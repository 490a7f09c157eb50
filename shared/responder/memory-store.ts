// Responder adapter: an in-memory IncidentStore with the DynamoDB store's semantics, for dry runs and tests.
import type { Incident, IncidentStore, TimelineStep } from './timeline';
import { incidentId } from './timeline';

/** Incidents kept in this process only; what a dry run records instead of writing STATE_TABLE. */
export function memoryIncidentStore(): IncidentStore & { readonly reviews: Map<string, string> } {
  const incidents = new Map<string, Incident>();
  const open = new Map<string, string>();
  const steps = new Map<string, TimelineStep[]>();
  const messages = new Set<string>();
  const reviews = new Map<string, string>();
  const current = async (alarm: string) => {
    const id = open.get(alarm);
    return id === undefined ? undefined : incidents.get(id);
  };
  return {
    reviews,
    current,
    async openOrGet(alarm, service, at, alarmChangedAt) {
      const existing = await current(alarm);
      if (existing) return existing;
      const incident: Incident = { id: incidentId(alarm, at), alarm, service, openedAt: at, ...(alarmChangedAt !== undefined ? { alarmChangedAt } : {}), status: 'open', actionCount: 0 };
      incidents.set(incident.id, incident);
      open.set(alarm, incident.id);
      return incident;
    },
    async record(id, step) {
      steps.set(id, [...(steps.get(id) ?? []), step]);
    },
    async steps(id) {
      return [...(steps.get(id) ?? [])].sort((a, b) => a.at.localeCompare(b.at));
    },
    async claimAction(id, max) {
      const incident = incidents.get(id);
      if (!incident || incident.actionCount >= max) return false;
      incidents.set(id, { ...incident, actionCount: incident.actionCount + 1 });
      return true;
    },
    async releaseAction(id) {
      const incident = incidents.get(id);
      if (incident && incident.actionCount > 0) incidents.set(id, { ...incident, actionCount: incident.actionCount - 1 });
    },
    async resolve(incident, at, review) {
      const stored = incidents.get(incident.id) ?? incident;
      incidents.set(incident.id, { ...stored, status: 'resolved', resolvedAt: at });
      reviews.set(incident.id, review);
      if (open.get(incident.alarm) === incident.id) open.delete(incident.alarm);
    },
    async claimMessage(messageId) {
      if (messages.has(messageId)) return false;
      messages.add(messageId);
      return true;
    },
    async releaseMessage(messageId) {
      messages.delete(messageId);
    },
  };
}
