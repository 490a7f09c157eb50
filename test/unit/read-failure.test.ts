// Unreadable inputs are recognised across copies of the module: an actuator in a lazy bundle file throws its own class.
import { describeUnreadable, isUnreadableInputError, UnreadableInputError, whyUnreadable } from '../../shared/read-failure';

/** A second, separate copy of shared/read-failure, as a lazy file of a bundle carries. */
function otherCopy(): typeof import('../../shared/read-failure') {
  let copy: typeof import('../../shared/read-failure') | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof import('../../shared/read-failure')>('../../shared/read-failure');
  });
  if (!copy) throw new Error('no second copy of shared/read-failure');
  return copy;
}

it('describes an UnreadableInputError thrown by another copy of the class by its own message, not the fallback', () => {
  const copy = otherCopy();
  const foreign = new copy.UnreadableInputError('the endpoint and credentials of cluster retail-ml', new Error('connect ECONNREFUSED 127.0.0.1:1'));
  expect(foreign).not.toBeInstanceOf(UnreadableInputError);

  expect(isUnreadableInputError(foreign)).toBe(true);
  expect(describeUnreadable(foreign, 'deployment mlops/api')).toBe('could not read the endpoint and credentials of cluster retail-ml: connect ECONNREFUSED 127.0.0.1:1');
  expect(whyUnreadable(foreign)).toBe('connect ECONNREFUSED 127.0.0.1:1');
});

it('does not take any error for an unreadable input: the name and the source must both be there', () => {
  const renamed = Object.assign(new Error('boom'), { name: 'UnreadableInputError' });
  expect(isUnreadableInputError(renamed)).toBe(false);
  expect(isUnreadableInputError({ name: 'UnreadableInputError', source: 'x', message: 'm' })).toBe(false);
  expect(describeUnreadable(new Error('access denied'), 'parameter /firebreak/prod/kill-switch')).toBe('could not read parameter /firebreak/prod/kill-switch: access denied');
});
