// Unit tests: the post-incident review draft rendered into the runbooks/ template.
import { readFileSync } from 'node:fs';
import { FALLBACK_REVIEW_TEMPLATE, formatDuration, loadReviewTemplate, openQuestions, renderReview, renderTemplate, REVIEW_TEMPLATE_PATH } from '../../../shared/responder/review';
import type { Incident, TimelineStep } from '../../../shared/responder/timeline';

const incident: Incident = {
  id: 'RetailPrediction-HighErrorRate@2026-11-21T03:13:05.123Z',
  alarm: 'RetailPrediction-HighErrorRate',
  service: 'retail-prediction',
  openedAt: '2026-11-21T03:13:05.123Z',
  status: 'open',
  actionCount: 1,
};
const steps: TimelineStep[] = [
  { at: '2026-11-21T03:13:06.000Z', kind: 'alarm-received', summary: 'RetailPrediction-HighErrorRate ALARM: Threshold Crossed' },
  {
    at: '2026-11-21T03:13:07.000Z',
    kind: 'diagnostics',
    summary: 'errorRate=62.50 cpu=71',
    data: { readings: ['RetailMLOps/ErrorRate Average: 62.50 Percent (max 62.50, 3 points)', 'ContainerInsights/node_cpu_utilization Average: 71 (max 71, 1 points)'] },
  },
  { at: '2026-11-21T03:13:07.100Z', kind: 'decision', summary: 'open-breaker (extreme-error-rate): Error rate 62.50% | over 50%', data: { rule: 'extreme-error-rate' } },
  { at: '2026-11-21T03:13:07.200Z', kind: 'action', summary: 'open breaker retail-prediction-api: opened' },
  { at: '2026-11-21T03:40:00.000Z', kind: 'diagnostics', summary: 'errorRate=1.20 cpu=40', data: { readings: ['RetailMLOps/ErrorRate Average: 1.20 Percent (max 3, 5 points)'] } },
  { at: '2026-11-21T03:40:01.000Z', kind: 'resolved', summary: 'RetailPrediction-HighErrorRate returned to OK' },
];
const input = {
  incident,
  steps,
  resolvedAt: '2026-11-21T03:40:01.000Z',
  stage: 'prod',
  severity: 'critical',
  alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:RetailPrediction-HighErrorRate',
  runbookUrl: 'https://example.com/runbooks/RetailPrediction-HighErrorRate.md',
  generatedAt: '2026-11-21T03:40:02.000Z',
};

describe('post-incident review draft', () => {
  const template = readFileSync(REVIEW_TEMPLATE_PATH, 'utf8');
  const draft = renderReview(template, input);

  it('fills every field of the runbooks/ template', () => {
    expect(draft).not.toMatch(/\{\{\s*[a-z_]+\s*\}\}/);
    expect(draft).toContain('# Post-incident review: RetailPrediction-HighErrorRate (retail-prediction) 2026-11-21');
    expect(draft).toContain('| Incident | `RetailPrediction-HighErrorRate@2026-11-21T03:13:05.123Z` |');
    expect(draft).toContain('| Duration | 27 min |');
    expect(draft).toContain('| Severity | critical |');
    expect(draft).toContain('[`RetailPrediction-HighErrorRate`](https://example.com/runbooks/RetailPrediction-HighErrorRate.md)');
  });

  it('has the summary, timeline, metrics, actions and open questions sections, in the template order', () => {
    const order = ['## Summary', '## Timeline', '## Metrics', '## Actions taken', '## Open questions'].map((h) => draft.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('writes one timeline row per recorded step, escaping table pipes', () => {
    // The template's guidance comment holds an example row; the rendered rows follow the Timeline heading.
    const rows = draft.slice(draft.indexOf('## Timeline')).split('\n').filter((l) => l.startsWith('| 2026-11-21T'));
    expect(rows).toHaveLength(steps.length);
    expect(rows[2]).toBe('| 2026-11-21T03:13:07.100Z | firebreak | decision: open-breaker (extreme-error-rate): Error rate 62.50% \\| over 50% |');
  });

  it('lists the metrics at first and last diagnosis and the automated actions', () => {
    expect(draft).toContain('- First diagnosis (2026-11-21T03:13:07.000Z):\n  - RetailMLOps/ErrorRate Average: 62.50 Percent');
    expect(draft).toContain('- Last diagnosis (2026-11-21T03:40:00.000Z):\n  - RetailMLOps/ErrorRate Average: 1.20 Percent');
    expect(draft).toContain('- 2026-11-21T03:13:07.200Z open breaker retail-prediction-api: opened');
  });

  it('asks the questions the record raises', () => {
    expect(draft).toContain('- What started RetailPrediction-HighErrorRate at 2026-11-21T03:13:05.123Z?');
    expect(draft).toContain('shedding load behind the circuit breaker');
    const escalated = openQuestions({ ...incident, actionCount: 3 }, [
      { at: 'x', kind: 'decision', summary: '', data: { rule: 'insufficient-data' } },
      { at: 'y', kind: 'escalation', summary: 'stopped' },
    ]);
    expect(escalated.join('\n')).toContain('metrics missing');
    expect(escalated.join('\n')).toContain('stopped after 3 action(s)');
  });

  it('renders with the built-in template too, and marks what was not recorded', () => {
    const bare = renderReview(FALLBACK_REVIEW_TEMPLATE, { ...input, steps: [], alarmArn: undefined });
    expect(bare).not.toMatch(/\{\{/);
    expect(bare).toContain('(`none recorded`)');
    expect(bare).toContain('## Actions taken\n\nnone recorded');
  });

  it('loads the packaged template, or the built-in copy when it is missing', async () => {
    expect(await loadReviewTemplate()).toBe(template);
    expect(await loadReviewTemplate('runbooks/no-such-template.md')).toBe(FALLBACK_REVIEW_TEMPLATE);
  });
});

describe('renderTemplate and formatDuration', () => {
  it('substitutes repeated fields and tolerates spaces in markers', () => {
    expect(renderTemplate('{{a}} and {{ a }} / {{b}}', { a: 'x', b: ' ' })).toBe('x and x / none recorded');
  });
  it.each([
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [64 * 60_000, '1 h 4 min'],
    [-5, '0 s'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
