// Unreadable inputs: how a read that failed is described, in a live run's error and a dry run's plan.
import { describeUnreadable, UnreadableInputError, whyUnreadable } from '../../shared/read-failure';

it('describes an UnreadableInputError by its own message, not the fallback, and its cause in a few words', () => {
  const error = new UnreadableInputError('the endpoint and credentials of cluster retail-ml', new Error('connect ECONNREFUSED 127.0.0.1:1'));
  expect(describeUnreadable(error, 'deployment mlops/api')).toBe('could not read the endpoint and credentials of cluster retail-ml: connect ECONNREFUSED 127.0.0.1:1');
  expect(whyUnreadable(error)).toBe('connect ECONNREFUSED 127.0.0.1:1');
  const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  expect(describeUnreadable(new UnreadableInputError('/firebreak/dev/kill-switch', noCredentials), 'x')).toBe('could not read /firebreak/dev/kill-switch: no AWS credentials');
});

it('uses the fallback source for any other error', () => {
  expect(describeUnreadable(new Error('access denied'), 'parameter /firebreak/prod/kill-switch')).toBe('could not read parameter /firebreak/prod/kill-switch: access denied');
});
