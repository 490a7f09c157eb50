// Property tests' shared expectations: what counts as Firebreak's own error, and a record of every network call a run tried.
import * as http from 'node:http';
import * as https from 'node:https';
import { ConfigError, DeliveryError, InvalidInputError, InvocationFailedError } from '../../shared/errors';
import { UnreadableInputError } from '../../shared/read-failure';
import { OutcomeUnknownError, ScalingInProgressError } from '../../shared/remediation/errors';

/** Firebreak's own named errors: a handler's deliberate refusals and failures. Anything else thrown is a defect. */
export const FIREBREAK_ERRORS = [ConfigError, InvalidInputError, DeliveryError, InvocationFailedError, UnreadableInputError, ScalingInProgressError, OutcomeUnknownError];

/** Why `error` is not one of Firebreak's own named errors with a message (looking inside an InvocationFailedError), or undefined. */
export function notFirebreakError(error: unknown): string | undefined {
  const own = FIREBREAK_ERRORS.find((E) => error instanceof E);
  if (!own || !(error instanceof Error)) return `threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`;
  if (error.name !== own.name) return `threw a ${own.name} named ${error.name}`;
  if (error.message.trim() === '') return `threw a ${own.name} with an empty message`;
  if (error instanceof InvocationFailedError) {
    for (const failure of error.failures) {
      const inner = notFirebreakError(failure.error);
      if (inner) return `${error.name} for ${failure.what}: ${inner}`;
    }
  }
  return undefined;
}

/** Fails the property unless `error` is one of Firebreak's own errors (its parts too, so a built-in cannot hide inside one). */
export function expectFirebreakError(error: unknown): void {
  const problem = notFirebreakError(error);
  if (problem) throw new Error(`expected one of Firebreak's errors: ${problem}`);
}

/**
 * Records every network call the test file's runs try (fetch, http and https requests), refusing each, from its
 * beforeAll to its afterAll. Returns the list the properties read (`expect(network).toEqual([])`) and empty.
 */
export function refuseNetwork(): string[] {
  const network: string[] = [];
  beforeAll(() => {
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      network.push(`fetch ${String(input)}`);
      throw new Error('no network in property tests');
    });
    for (const [name, module] of [['http', http], ['https', https]] as const) {
      jest.spyOn(module, 'request').mockImplementation(() => {
        network.push(`${name}.request`);
        throw new Error('no network in property tests');
      });
    }
  });
  afterAll(() => jest.restoreAllMocks());
  return network;
}
