// Unit tests: the responder decision table — every row, thresholds at their edges, missing data.
import { decide, isHealthy } from '../../../shared/responder/decide';
import { diagnosticsOf, sampleService } from './fixtures';

// Sample thresholds: cpu 80, memory 85, latency 200, moderate errors <= 20, extreme errors > 50, healthy errors <= 5.
describe('decision table', () => {
  const service = sampleService();

  it.each([
    // [case, values, expected rule, expected action]
    ['no datapoints at all', {}, 'insufficient-data', 'page'],
    ['error rate just over extreme', { errorRate: 50.01, cpu: 95 }, 'extreme-error-rate', 'open-breaker'],
    ['error rate exactly extreme is not extreme', { errorRate: 50, cpu: 40, latency: 100 }, 'unclassified', 'page'],
    ['cpu just over its line', { errorRate: 30, cpu: 80.01 }, 'cpu-high', 'scale'],
    ['cpu exactly on its line', { errorRate: 30, cpu: 80 }, 'unclassified', 'page'],
    ['cpu high with no error rate known', { cpu: 90 }, 'cpu-high', 'scale'],
    ['memory just over its line', { errorRate: 30, cpu: 10, memory: 85.5 }, 'memory-high', 'scale'],
    ['memory exactly on its line', { errorRate: 30, cpu: 10, memory: 85 }, 'unclassified', 'page'],
    ['latency high, errors exactly moderate', { errorRate: 20, latency: 201, cpu: 10 }, 'latency-high-errors-moderate', 'scale'],
    ['latency high, errors over moderate', { errorRate: 20.5, latency: 400, cpu: 10 }, 'unclassified', 'page'],
    ['latency exactly on its line', { errorRate: 6, latency: 200, cpu: 10 }, 'unclassified', 'page'],
    ['latency high, error rate unknown', { latency: 900, cpu: 10 }, 'unclassified', 'page'],
    ['only requests have data', { requests: 1200 }, 'unclassified', 'page'],
    ['extreme errors win over high cpu and latency', { errorRate: 75, cpu: 99, latency: 900 }, 'extreme-error-rate', 'open-breaker'],
  ] as const)('%s', (_case, values, rule, action) => {
    const decision = decide(diagnosticsOf(values), service);
    expect(decision.rule).toBe(rule);
    expect(decision.action).toBe(action);
  });

  it('names the numbers and the flag when it opens the breaker', () => {
    const decision = decide(diagnosticsOf({ errorRate: 62.5 }), service);
    expect(decision).toMatchObject({ action: 'open-breaker', flag: 'retail-prediction-api' });
    expect(decision.reasoning).toContain('62.50%');
    expect(decision.reasoning).toContain('50%');
  });

  it('scales every target the policy names, saying which', () => {
    const decision = decide(diagnosticsOf({ errorRate: 7.3, cpu: 91 }), service);
    if (decision.action !== 'scale') throw new Error(`expected scale, got ${decision.action}`);
    expect(decision.actions.map((a) => a.target)).toEqual(['retail-prediction-nodegroup', 'retail-forecast-api']);
    expect(decision.reasoning).toContain('CPU 91% is over 80%');
    expect(decision.reasoning).toContain('node group retail-prediction-nodegroup +1');
    expect(decision.reasoning).toContain('deployment retail-forecast-api to 6');
  });

  it('pages when capacity is the problem but nothing may be scaled', () => {
    const decision = decide(diagnosticsOf({ errorRate: 7, cpu: 95 }), sampleService({ scale: [] }));
    expect(decision).toMatchObject({ action: 'page', rule: 'capacity-without-targets' });
  });

  it('says the window when there is no data', () => {
    const decision = decide(diagnosticsOf({}), service);
    expect(decision.reasoning).toContain('2026-11-21T03:03:00.000Z');
    expect(decision.reasoning).toContain('not acting blind');
  });

  it('diagnostics unavailable (a dry run that could not read CloudWatch): the insufficient-data row, saying why', () => {
    const decision = decide({ ...diagnosticsOf({}), unavailable: 'could not read CloudWatch GetMetricData: no AWS credentials' }, service);
    expect(decision).toEqual({
      action: 'page',
      rule: 'insufficient-data',
      reasoning: 'Diagnostics unavailable (could not read CloudWatch GetMetricData: no AWS credentials): not acting blind.',
    });
  });

  it('follows the policy thresholds, not built-in ones', () => {
    const strict = sampleService({ thresholds: { ...service.thresholds, extremeErrorRatePercent: 30 } });
    expect(decide(diagnosticsOf({ errorRate: 31 }), strict).action).toBe('open-breaker');
    expect(decide(diagnosticsOf({ errorRate: 31 }), service).action).toBe('page');
  });
});

describe('isHealthy', () => {
  const t = sampleService().thresholds;
  it.each([
    ['errors at the healthy line, nothing else high', { errorRate: 5, cpu: 40, latency: 120 }, true],
    ['errors just over the healthy line', { errorRate: 5.01, cpu: 40 }, false],
    ['errors low but cpu high', { errorRate: 1, cpu: 81 }, false],
    ['no error rate known', { cpu: 40 }, false],
    ['no data at all', {}, false],
  ] as const)('%s', (_case, values, healthy) => {
    expect(isHealthy(diagnosticsOf(values), t)).toBe(healthy);
  });
});
