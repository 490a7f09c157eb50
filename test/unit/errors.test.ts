// Unit tests: the one aggregate error names every failed part and keeps what succeeded.
import { InvocationFailedError } from '../../shared/errors';

describe('InvocationFailedError', () => {
  it('names each failed part with its reason, says what was being done, and keeps the first as cause', () => {
    const refused = new Error('connection refused');

    const error = new InvocationFailedError([{ what: 'retail-forecast-api', error: refused }, { what: 'retail-prediction-nodegroup', error: 'timeout' }], { doing: 'Remediation' });

    expect(error.message).toBe('Remediation failed for retail-forecast-api (connection refused), retail-prediction-nodegroup (timeout)');
    expect(error.name).toBe('InvocationFailedError');
    expect(error.cause).toBe(refused);
    expect(error.failures.map((f) => f.what)).toEqual(['retail-forecast-api', 'retail-prediction-nodegroup']);
  });

  it('is about a delivery unless told otherwise, and keeps what succeeded for the log', () => {
    const error = new InvocationFailedError([{ what: 'slack', error: new Error('HTTP 500') }], { succeeded: [{ channel: 'pagerduty', status: 'delivered' }] });

    expect(error.message).toBe('Delivery failed for slack (HTTP 500)');
    expect(error.succeeded).toEqual([{ channel: 'pagerduty', status: 'delivered' }]);
    expect(new InvocationFailedError([{ what: 'x', error: 'y' }]).succeeded).toEqual([]);
  });
});
