// Configuration: validates a policy document and reports the first bad fields by their path.
import { ConfigError } from '../errors';
import { policySchema, type Policy } from './schema';

/** Validates `json` as a policy; throws a ConfigError naming each bad field (`notify.routes.1.channels.0`). */
export function parsePolicy(json: unknown, source = 'policy'): Policy {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new ConfigError(`Invalid ${source}: ${problems}`, { cause: parsed.error });
}
