// A dry run in app mode says where the Slack app would post and which graph it would ask CloudWatch for.
import { parseSnsRecord } from '../../../shared/alarm/parse';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../../shared/config';
import { describeAppDelivery } from '../../../shared/notify/slack-app';
import { buildView } from '../../../shared/notify/view';
import { policyForStage } from '../../../shared/policy/load';
import { loadEvent } from '../../support/events';

const NOW = new Date('2026-12-04T05:00:00.000Z');
const policy = () => {
  const notify = policyForStage('prod').notify;
  return { ...notify, slackApp: notify.slackApp!, routes: notify.routes.map((r) => (r.name === 'critical' ? { ...r, slackChannel: 'C0INCIDNT' } : r)) };
};
const viewOf = (event: string) => buildView(parseSnsRecord(loadEvent(event).Records[0]!), policy(), DEFAULT_RUNBOOK_BASE_URL);

describe('describeAppDelivery', () => {
  it("an ALARM: the route's channel, the thread, and the graph request of the alarm's own metric", () => {
    expect(describeAppDelivery(viewOf('alarm-high-error-rate-alarm'), 'critical', policy(), NOW)).toBe(
      "as the Slack app in C0INCIDNT, starting the alarm's thread (or updating it when one is open); graph: GetMetricWidgetImage in eu-west-1, 2026-12-04T02:00:00.000Z to 2026-12-04T05:00:00.000Z: 100 * apiErrors / apiRequests, RetailMLOps APIErrorCount (Sum/60s), RetailMLOps APIRequestCount (Sum/60s), threshold > 5",
    );
  });

  it("an OK of a route without a channel of its own: the default channel's thread; a composite: no graph, and why", () => {
    expect(describeAppDelivery(viewOf('alarm-high-cpu-ok'), 'retail-warnings', policy(), NOW)).toMatch(/^as the Slack app, in the alarm's thread in C0FIREBRK when one is open; graph: GetMetricWidgetImage in eu-west-1, .*ContainerInsights node_cpu_utilization \(Average\/300s\)/);
    expect(describeAppDelivery(viewOf('alarm-critical-issue-alarm'), 'critical-issue-pages', policy(), NOW)).toBe(
      "as the Slack app in C0FIREBRK, starting the alarm's thread (or updating it when one is open); no graph: a composite alarm has no metric of its own",
    );
  });
});
