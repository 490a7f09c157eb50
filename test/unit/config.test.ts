// Unit tests: the settings read from the environment — region codes, the metrics switch.
import { ConfigError, loadConfig } from '../../shared/config';

describe('loadConfig', () => {
  it.each(['us-east-1', 'us-gov-west-1', 'cn-northwest-1', 'eusc-de-east-1', 'ap-southeast-5'])('accepts the region %s', (region) => {
    expect(loadConfig({ AWS_REGION: region }).region).toBe(region);
  });

  it.each(['US-EAST-1', 'useast1', 'us-east', 'us east 1'])('refuses %s as a region, saying what it expected', (region) => {
    expect(() => loadConfig({ AWS_REGION: region })).toThrow(ConfigError);
    expect(() => loadConfig({ AWS_REGION: region })).toThrow('AWS_REGION: expected a region code such as us-east-1');
  });

  it("turns Firebreak's own metrics off with Powertools' switch, POWERTOOLS_METRICS_DISABLED", () => {
    expect(loadConfig({}).metricsEnabled).toBe(true);
    expect(loadConfig({ POWERTOOLS_METRICS_DISABLED: 'false' }).metricsEnabled).toBe(true);
    expect(loadConfig({ POWERTOOLS_METRICS_DISABLED: 'true' }).metricsEnabled).toBe(false);
    // Read as Powertools reads it, so the two never disagree.
    expect(loadConfig({ POWERTOOLS_METRICS_DISABLED: 'On' }).metricsEnabled).toBe(false);
    expect(loadConfig({ POWERTOOLS_METRICS_DISABLED: 'off' }).metricsEnabled).toBe(true);
    expect(() => loadConfig({ POWERTOOLS_METRICS_DISABLED: 'maybe' })).toThrow('POWERTOOLS_METRICS_DISABLED: expected true or false');
  });
});
