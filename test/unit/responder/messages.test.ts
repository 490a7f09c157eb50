// Unit tests: what the responder says in Slack and PagerDuty — escaping, links, limits.
import { decide } from '../../../shared/responder/decide';
import { decisionMessage, pageFor, PAGE_SUMMARY_LIMIT, resolvedMessage, type ResponseReport } from '../../../shared/responder/messages';
import { diagnosticsOf, sampleService } from './fixtures';

const report = (patch: Partial<ResponseReport> = {}): ResponseReport => {
  const diagnostics = diagnosticsOf({ errorRate: 7.3, cpu: 91 });
  return {
    service: 'retail-prediction',
    alarm: { name: 'RetailPrediction-HighErrorRate', state: 'ALARM', reason: 'Threshold Crossed <!channel>' },
    incidentId: 'RetailPrediction-HighErrorRate@2026-11-21T03:13:05.123Z',
    trigger: 'alarm',
    diagnostics,
    decision: decide(diagnostics, sampleService()),
    actions: [
      {
        request: { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 },
        outcome: { status: 'refused', action: 'scale-nodegroup', target: 'retail-prediction-nodegroup', guard: 'budget', reason: 'budget <b>spent</b> & exhausted' },
      },
    ],
    dryRun: false,
    runbookUrl: 'https://runbooks.example.com/RetailPrediction-HighErrorRate.md',
    ...patch,
  };
};

describe('responder messages', () => {
  it('escapes text from outside so it can neither mention a channel nor forge a link', () => {
    const body = JSON.stringify(decisionMessage(report()).blocks);
    expect(body).toContain('refused by budget: budget &lt;b&gt;spent&lt;/b&gt; &amp; exhausted');
    expect(body).not.toContain('<b>');
    expect(decisionMessage(report()).text).not.toContain('<!channel>');
  });

  it('keeps its own runbook and review links', () => {
    expect(JSON.stringify(decisionMessage(report()).blocks)).toContain('<https://runbooks.example.com/RetailPrediction-HighErrorRate.md|runbook>');
    const resolved = resolvedMessage({
      service: 'retail-prediction',
      alarm: 'RetailPrediction-HighErrorRate',
      incidentId: 'i-1',
      diagnostics: diagnosticsOf({ errorRate: 1 }),
      reviewUrl: 'https://console.example.com/review?pk=incident%23i-1',
      duration: '27 min',
      actionCount: 1,
    });
    expect(JSON.stringify(resolved.blocks)).toContain('<https://console.example.com/review?pk=incident%23i-1|open the draft>');
  });

  it('keeps every Block Kit text within Slack limits for a very long reason', () => {
    const message = decisionMessage(report({ heldBack: 'x'.repeat(10_000) }));
    for (const block of message.blocks ?? []) {
      const text = JSON.stringify(block);
      expect(text.length).toBeLessThan(3_200);
    }
    expect(message.text.length).toBeLessThanOrEqual(4_000);
  });

  it('cuts a long page summary between characters, never inside an emoji', () => {
    const summary = `${'y'.repeat(PAGE_SUMMARY_LIMIT - 1)}🔥 kill switch on`;
    expect(pageFor(report(), summary).summary).toBe('y'.repeat(PAGE_SUMMARY_LIMIT - 1));
  });

  it('pages with the diagnostics, the decision and what was tried, within PagerDuty limits', () => {
    const page = pageFor(report(), 'y'.repeat(2_000));
    expect(page.summary).toHaveLength(PAGE_SUMMARY_LIMIT);
    expect(page.dedupKey).toBe('RetailPrediction-HighErrorRate@2026-11-21T03:13:05.123Z');
    expect(page.details).toMatchObject({ decision: 'cpu-high', actions: ['scale node group retail-prediction-nodegroup +1: refused by budget: budget <b>spent</b> & exhausted'] });
    expect(page.details.diagnostics).toEqual(expect.arrayContaining(['Test/cpu Average: 91 (max 91, 1 points)']));
  });
});
