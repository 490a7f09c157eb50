// Adapter: notify's Slack channel in app mode — one thread per alarm (ALARM opens it, OK replies and closes it), the parent kept current, the metric's graph in the thread.
import type { KnownBlock } from '@slack/types';
import type { Alarm } from '../alarm/model';
import type { SlackAppClient } from '../channels/slack-app';
import type { RoutingPolicy, SlackAppPolicy } from '../policy/schema';
import { alarmButtons } from '../slack/buttons';
import { alarmGraphWidget, describeGraphRequest } from '../slack/graph';
import { uploadGraph } from '../slack/thread-graph';
import { isOpen, type SlackThreads } from '../slack/threads';
import { pagerDutyDedupKey } from './format/pagerduty';
import type { SlackAlarmMessage } from './format/slack';
import type { AlarmView, NotificationView } from './view';

/** What the Slack channel knows of the notification beyond its payload: the view, and the route that named Slack. */
export interface SlackSendContext {
  /** The notification a message is about (absent for a group's batch). */
  readonly view?: NotificationView;
  readonly route?: string;
  /** A group's batch: its thread is the group's, and a batch in which every member is OK closes it. */
  readonly group?: { readonly id: string; readonly resolved: boolean };
}

/** The thread key of a group, beside the alarms' (an alarm's key is its name). */
export const groupThreadKey = (groupId: string): string => `group:${groupId}`;

/** Sends one Slack payload; in app mode the context places it in the alarm's thread. */
export interface SlackNotifier {
  send(payload: SlackAlarmMessage, context?: SlackSendContext): Promise<void>;
}

/** A rendered graph of the alarm's metric, or why there is none. */
export type AlarmGraph = { readonly png: Uint8Array; readonly title: string } | { readonly unavailable: string };

export interface SlackAppDeps {
  readonly client: SlackAppClient;
  readonly threads: SlackThreads;
  readonly policy: RoutingPolicy & { readonly slackApp: SlackAppPolicy };
  /** Draws the alarm's own metric for the last hours; throws when the drawing failed. */
  readonly graph: (alarm: Alarm) => Promise<AlarmGraph>;
  readonly now: () => Date;
}

/** The channel a route posts to: its own `slackChannel`, else the app's default. */
export function channelOfRoute(policy: RoutingPolicy & { readonly slackApp: SlackAppPolicy }, route: string | undefined): string {
  return policy.routes.find((r) => r.name === route)?.slackChannel ?? policy.slackApp.defaultChannel;
}

/** The payload with the alarm's buttons at the end of its attachment (the colour bar stays around them). */
function withButtons(payload: SlackAlarmMessage, buttons: KnownBlock): SlackAlarmMessage {
  const [attachment] = payload.attachments;
  return { ...payload, attachments: [{ ...attachment, blocks: [...attachment.blocks, buttons] }] };
}

/** An alarm's parent message in app mode: its payload and its buttons (what `npm run slack -- preview` shows too). */
export function parentMessage(payload: SlackAlarmMessage, view: AlarmView, slackApp: SlackAppPolicy): SlackAlarmMessage {
  return withButtons(payload, alarmButtons({ alarmName: view.alarm.name, dedupKey: pagerDutyDedupKey(view.alarm.arn), runbookUrl: view.runbookUrl }, slackApp));
}

/**
 * notify's Slack in app mode. An ALARM with no open thread posts the parent (with its buttons) and records
 * the thread; an ALARM again updates the parent and says so in the thread; an OK replies in the thread,
 * updates the parent to OK (no buttons) and closes the thread; a state with no thread is posted on its
 * own. Every ALARM and OK of a metric or metric-math alarm gets the graph of its metric in the thread;
 * a graph that cannot be drawn never stops the message: the thread says why. A group's batch goes to the
 * group's thread (see sendGroupBatch). A generic message is posted to the default channel.
 */
export function slackAppNotifier(deps: SlackAppDeps): SlackNotifier {
  const { client, threads, policy } = deps;
  return {
    async send(payload, context) {
      if (context?.group) return sendGroupBatch(payload, context.group, channelOfRoute(policy, context.route), deps);
      const view = context?.view;
      if (!view || view.type !== 'alarm') {
        await client.post(policy.slackApp.defaultChannel, payload);
        return;
      }
      const alarm = view.alarm;
      const channel = channelOfRoute(policy, context.route);
      const thread = await threads.get(alarm.name);
      const parent = parentMessage(payload, view, policy.slackApp);
      if (alarm.state === 'ALARM') {
        if (!isOpen(thread)) {
          const posted = await client.post(channel, parent);
          await threads.open({ key: alarm.name, channel: posted.channel, ts: posted.ts, openedAt: deps.now().toISOString() });
          await postGraph(alarm, posted.channel, posted.ts, deps);
          return;
        }
        await client.update(thread.channel, thread.ts, parent);
        await client.post(thread.channel, { text: payload.text }, thread.ts);
        await postGraph(alarm, thread.channel, thread.ts, deps);
        return;
      }
      if (!isOpen(thread)) {
        await client.post(channel, payload);
        return;
      }
      await client.post(thread.channel, payload, thread.ts);
      await client.update(thread.channel, thread.ts, payload);
      if (alarm.state === 'OK') {
        await postGraph(alarm, thread.channel, thread.ts, deps);
        await threads.close(alarm.name, deps.now());
      }
    },
  };
}

/**
 * A group's batch: the first opens the group's thread in the route's channel; each later one is a reply in it,
 * and the parent is updated to it (every member's latest state); the batch in which every member is OK closes
 * the thread, so the group's next storm starts a new one.
 */
async function sendGroupBatch(payload: SlackAlarmMessage, group: NonNullable<SlackSendContext['group']>, channel: string, deps: SlackAppDeps): Promise<void> {
  const key = groupThreadKey(group.id);
  const thread = await deps.threads.get(key);
  if (!isOpen(thread)) {
    const posted = await deps.client.post(channel, payload);
    if (!group.resolved) await deps.threads.open({ key, channel: posted.channel, ts: posted.ts, openedAt: deps.now().toISOString() });
    return;
  }
  await deps.client.post(thread.channel, payload, thread.ts);
  await deps.client.update(thread.channel, thread.ts, payload);
  if (group.resolved) await deps.threads.close(key, deps.now());
}

/**
 * What app mode would do with a Slack delivery, in one line, for a dry run's log and result: where it would
 * post (a new thread, or the alarm's thread when one is open is known only live) and the graph it would ask for.
 */
export function describeAppDelivery(view: NotificationView, route: string | undefined, policy: RoutingPolicy & { readonly slackApp: SlackAppPolicy }, now: Date): string {
  const channel = channelOfRoute(policy, route);
  if (view.type !== 'alarm') return `as the Slack app in ${channel}`;
  const graph = alarmGraphWidget(view.alarm, now);
  const where = view.alarm.state === 'ALARM' ? `as the Slack app in ${channel}, starting the alarm's thread (or updating it when one is open)` : `as the Slack app, in the alarm's thread in ${channel} when one is open`;
  const drawn = view.alarm.state === 'INSUFFICIENT_DATA' ? '' : 'unavailable' in graph ? `; no graph: ${graph.unavailable}` : `; graph: ${describeGraphRequest(graph.widget)}`;
  return `${where}${drawn}`;
}

/** The alarm's graph into the thread, or a line saying why it could not be drawn or uploaded; never throws for the graph. */
const postGraph = (alarm: Alarm, channel: string, threadTs: string, deps: SlackAppDeps): Promise<void> =>
  uploadGraph(deps.client, channel, threadTs, {
    of: alarm.name,
    filename: `${alarm.name}-${alarm.state}.png`,
    draw: async () => {
      const graph = await deps.graph(alarm);
      return 'unavailable' in graph ? undefined : graph;
    },
  });
