// Adapter: the operator's kill switch, an SSM String parameter read on every invocation so it takes effect at once.
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { UnreadableInputError } from '../read-failure';
import type { KillSwitch } from './types';

export const ssm = new SSMClient({ maxAttempts: 3 });

const ENGAGED_WORDS = new Set(['on', 'true', 'engaged', 'stop', '1', 'yes']);
const RELEASED_WORDS = new Set(['off', 'false', 'released', '0', 'no', '']);

/**
 * Interprets the parameter's value: a word (`on`/`off`, `true`/`false`, …) or JSON `{"engaged": true, "reason": "…"}`.
 * Anything else counts as engaged: an unreadable switch must not let automation run.
 */
export function parseKillSwitch(value: string): { engaged: boolean; reason?: string } {
  const word = value.trim().toLowerCase();
  if (ENGAGED_WORDS.has(word)) return { engaged: true };
  if (RELEASED_WORDS.has(word)) return { engaged: false };
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { engaged?: unknown }).engaged === 'boolean') {
      const { engaged, reason } = parsed as { engaged: boolean; reason?: unknown };
      return { engaged, reason: typeof reason === 'string' ? reason : undefined };
    }
  } catch {
    // Not JSON: falls through to "engaged" below.
  }
  return { engaged: true, reason: `unrecognised kill-switch value ${JSON.stringify(value.slice(0, 40))}` };
}

/**
 * The real KillSwitch: a missing parameter means "not engaged"; any other read error is thrown as an
 * UnreadableInputError naming the parameter (a live run then does nothing; a dry run plans "unknown").
 */
export function ssmKillSwitch(parameterName: string, client: SSMClient = ssm): KillSwitch {
  return {
    async read() {
      try {
        const { Parameter } = await client.send(new GetParameterCommand({ Name: parameterName }));
        return parseKillSwitch(Parameter?.Value ?? '');
      } catch (error) {
        if (error instanceof ParameterNotFound || (error instanceof Error && error.name === 'ParameterNotFound')) return { engaged: false };
        throw new UnreadableInputError(parameterName, error);
      }
    },
  };
}
