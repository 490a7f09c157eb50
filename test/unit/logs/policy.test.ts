// Unit: the logs policy section, filters and the refusal to forward this function's own log group.
import { filterFor, serviceFromLogGroup } from '../../../shared/logs/filter';
import { defaultLogsPolicy, groupsCoveringOwnLogGroup, logsPolicySchema, matchesLogGroup } from '../../../shared/logs/policy';
import { policySchema } from '../../../shared/policy/schema';
import { stageDocument, stageNames } from '../../../shared/policy/load';

describe('logsPolicySchema', () => {
  it('fills every default from an empty section', () => {
    expect(defaultLogsPolicy().sink).toEqual({ mode: 'ndjson', index: 'logs-{service}-{date}', maxRequestBytes: 1_048_576, maxRequestEvents: 5_000, compressionLevel: 1, concurrency: 4 });
    expect(defaultLogsPolicy().redaction.builtins).toEqual(['aws-access-key', 'bearer-token', 'password', 'email']);
    expect(defaultLogsPolicy().digest).toEqual({ enabled: true, minIntervalSeconds: 300, topMessages: 5, queryWindowMinutes: 15 });
  });

  it('names the bad field', () => {
    const bad = logsPolicySchema.safeParse({ groups: [{ match: '/aws/lambda/x', exclude: ['(unclosed'] }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['groups', 0, 'exclude', 0]);
    expect(logsPolicySchema.safeParse({ sink: { maxRequestBytes: 10 } }).success).toBe(false);
    expect(logsPolicySchema.safeParse({ sink: { mode: 'syslog' } }).success).toBe(false);
    expect(logsPolicySchema.safeParse({ redaction: { builtins: ['ssn'] } }).success).toBe(false);
  });

  it('is part of every stage policy', () => {
    for (const stage of stageNames()) {
      const parsed = policySchema.parse(stageDocument(stage));
      expect({ stage, groups: parsed.logs?.groups.length }).toEqual({ stage, groups: expect.any(Number) });
    }
  });

  it('finds the groups that would cover the function\'s own log group', () => {
    const policy = logsPolicySchema.parse({ groups: [{ match: '/aws/lambda/*' }, { match: '/aws/lambda/firebreak-dev-forwardLogs' }, { match: '/aws/eks/*' }] });
    expect(groupsCoveringOwnLogGroup(policy, 'firebreak-dev-forwardLogs').map((g) => g.match)).toEqual(['/aws/lambda/*', '/aws/lambda/firebreak-dev-forwardLogs']);
    expect(groupsCoveringOwnLogGroup(policy, undefined)).toEqual([]);
  });
});

describe('filterFor', () => {
  const policy = logsPolicySchema.parse({
    groups: [
      { match: '/aws/containerinsights/retail/application', service: 'retail-api', include: ['API', 'Inference'], exclude: ['/health'] },
      { match: '/aws/containerinsights/*', service: 'cluster' },
    ],
  });

  it('applies include then exclude patterns of the first matching group', () => {
    const filter = filterFor(policy, '/aws/containerinsights/retail/application');
    expect(filter.service).toBe('retail-api');
    expect(filter.keeps('API Request: {"path":"/predict"}')).toBe(true);
    expect(filter.keeps('API Request: {"path":"/health"}')).toBe(false);
    expect(filter.keeps('model loaded')).toBe(false);
  });

  it('keeps everything of a group without patterns, and names its service', () => {
    const filter = filterFor(policy, '/aws/containerinsights/retail/performance');
    expect(filter.service).toBe('cluster');
    expect(filter.keeps('anything')).toBe(true);
  });

  it('derives a service name for a log group no group names', () => {
    expect(filterFor(policy, '/aws/lambda/orders').service).toBe('orders');
    expect(serviceFromLogGroup('/')).toBe('unknown');
  });

  it('matches names exactly and prefixes with *', () => {
    expect(matchesLogGroup('/aws/lambda/*', '/aws/lambda/x')).toBe(true);
    expect(matchesLogGroup('/aws/lambda/x', '/aws/lambda/xy')).toBe(false);
    expect(matchesLogGroup('*', '/anything')).toBe(true);
  });
});
