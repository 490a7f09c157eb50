// What crosses between a bundle and its lazy files, which carry their own copies of shared modules: one logger, errors known by name.
import { logger } from '../../shared/logger';
import { isOutcomeUnknownError, isScalingInProgressError, OutcomeUnknownError, ScalingInProgressError } from '../../shared/remediation/errors';

/** A separate copy of a module, as a lazy file of a bundle carries. */
function copyOf<T extends object>(path: string): T {
  let copy: T | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<T>(path);
  });
  if (!copy) throw new Error(`no copy of ${path}`);
  return copy;
}

it('logs through one logger per process, whichever copy of the module asks for it', () => {
  const copy = copyOf<typeof import('../../shared/logger')>('../../shared/logger');
  expect(copy.logger).toBe(logger);
});

it('recognises a ScalingInProgressError thrown by another copy of the class, and nothing else', () => {
  const copy = copyOf<typeof import('../../shared/remediation/errors')>('../../shared/remediation/errors');
  const foreign = new copy.ScalingInProgressError('ScalingActivityInProgress', 'a scaling activity is in progress');
  expect(foreign).not.toBeInstanceOf(ScalingInProgressError);
  expect(isScalingInProgressError(foreign)).toBe(true);
  expect(isScalingInProgressError(Object.assign(new Error('x'), { name: 'ScalingInProgressError' }))).toBe(false);
  expect(isScalingInProgressError(new Error('ScalingInProgressError'))).toBe(false);
});

it('recognises an OutcomeUnknownError thrown by the deployment actuator\'s copy of the class', () => {
  const copy = copyOf<typeof import('../../shared/remediation/errors')>('../../shared/remediation/errors');
  const foreign = new copy.OutcomeUnknownError('scale deployment mlops/retail-forecast-api to 6 failed: no answer within 5000 ms');
  expect(foreign).not.toBeInstanceOf(OutcomeUnknownError);
  expect(isOutcomeUnknownError(foreign)).toBe(true);
  expect(isOutcomeUnknownError(new Error('OutcomeUnknownError'))).toBe(false);
});
