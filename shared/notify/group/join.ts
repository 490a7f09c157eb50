// Use case: the channels of a grouped route join their group (storm control); the batch goes out later, on notify's schedule.
import type { ChannelName, Route, RoutingPolicy } from '../../policy/schema';
import type { AlarmView } from '../view';
import type { NotificationPlan, PlannedDelivery } from '../plan';
import { groupIdentity, memberOf } from './identity';
import type { GroupIdentity } from './model';
import type { GroupStore } from './store';
import { dueOnJoin } from './timing';

export interface GroupDeps {
  readonly policy: RoutingPolicy;
  readonly groups: GroupStore;
  readonly dryRun: boolean;
}

/** A grouped route's channels in one message, and the group they join. */
export interface GroupedChannels {
  readonly route: Route & { readonly group: NonNullable<Route['group']> };
  readonly identity: GroupIdentity;
  readonly channels: readonly ChannelName[];
}

/** The grouped routes among the deliveries' routes: each channel belongs to the first matched route that names it. */
export function groupedChannels(plan: NotificationPlan, deliveries: readonly PlannedDelivery[], policy: RoutingPolicy): GroupedChannels[] {
  const view = plan.view;
  if (view.type !== 'alarm') return [];
  const byRoute = new Map<string, ChannelName[]>();
  for (const d of deliveries) {
    const name = plan.routing.routeOf[d.channel];
    const route = policy.routes.find((r) => r.name === name);
    if (!route?.group) continue;
    byRoute.set(route.name, [...(byRoute.get(route.name) ?? []), d.channel]);
  }
  return [...byRoute].map(([name, channels]) => {
    const route = policy.routes.find((r) => r.name === name) as GroupedChannels['route'];
    return { route, identity: groupIdentity({ name: route.name, group: route.group }, view), channels };
  });
}

/** Outcome of one grouped channel. */
export interface GroupOutcome {
  readonly channel: ChannelName;
  readonly status: 'grouped' | 'planned';
  readonly detail: string;
}

/**
 * Hands each grouped route's channels to its group (recording the alarm's state as a member and
 * scheduling the group's batch) and returns the deliveries that go out now. An alarm whose newer state
 * is already recorded changes nothing (a late or repeated message). A dry run only says which group the
 * alarm would join and when its batch would be due.
 */
export async function joinGroups(plan: NotificationPlan, deliveries: readonly PlannedDelivery[], deps: GroupDeps, now: Date): Promise<{ immediate: PlannedDelivery[]; outcomes: GroupOutcome[] }> {
  const groups = groupedChannels(plan, deliveries, deps.policy);
  if (groups.length === 0) return { immediate: [...deliveries], outcomes: [] };
  const view = plan.view as AlarmView;
  const outcomes: GroupOutcome[] = [];
  for (const { route, identity, channels } of groups) {
    const head = await deps.groups.head(identity.id);
    const dueAt = dueOnJoin(head, route.group, now.getTime());
    const when = new Date(dueAt).toISOString();
    if (deps.dryRun) {
      for (const channel of channels) outcomes.push({ channel, status: 'planned', detail: `would join group ${identity.id}; its batch would be due at ${when}` });
      continue;
    }
    const recorded = await deps.groups.join({ identity, channels, waitMs: route.group.wait, intervalMs: route.group.interval, member: memberOf(view, plan.view.messageId), dueAt });
    const note = recorded ? '' : ' (a later state of the alarm was already in the group)';
    for (const channel of channels) outcomes.push({ channel, status: 'grouped', detail: `joined group ${identity.id}; batch due at ${when}${note}` });
  }
  const grouped = new Set(groups.flatMap((g) => g.channels));
  return { immediate: deliveries.filter((d) => !grouped.has(d.channel)), outcomes };
}
