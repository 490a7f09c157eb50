// Configuration: validates a policy document and reports the first bad fields by their path.
import { ConfigError } from '../errors';
import { describeIssues } from '../validation';
import { policySchema, type Policy } from './schema';

/** Validates `json` as a policy; throws a ConfigError naming each bad field (`notify.routes.1.channels.0`). */
export function parsePolicy(json: unknown, source = 'policy'): Policy {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid ${source}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
}
