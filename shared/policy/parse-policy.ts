// Configuration: validates a policy document and reports the first bad fields by their path.
import { ConfigError } from '../errors';
import { describeIssues } from '../validation';
import { POLICY_SECTIONS, policyOutlineSchema, policySchema, type Policy, type PolicySection } from './schema';

/** Validates `json` as a policy; throws a ConfigError naming each bad field (`notify.routes.1.channels.0`). */
export function parsePolicy(json: unknown, source = 'policy'): Policy {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid ${source}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
}

/**
 * The policy a function runs with: its top level (version, no unknown keys) is validated at once, and
 * each section when it is first read, so a function builds and checks only the sections it uses —
 * at cold start, since handlers read them at module scope. A bad section throws the same ConfigError,
 * with the same field paths, as `parsePolicy`; a mistake in one function's section cannot stop the
 * others. Tests and `npm run policy` validate whole documents with `parsePolicy`.
 */
export function parsePolicyBySection(json: unknown, source = 'policy'): Policy {
  const outline = policyOutlineSchema.safeParse(json);
  if (!outline.success) throw new ConfigError(`Invalid ${source}: ${describeIssues(outline.error)}`, { cause: outline.error });
  const document = outline.data;
  const validated = new Map<PolicySection, unknown>();
  const section = <K extends PolicySection>(name: K): Policy[K] => {
    if (!validated.has(name)) {
      const parsed = POLICY_SECTIONS[name].safeParse(document[name]);
      if (!parsed.success) throw new ConfigError(`Invalid ${source}: ${describeIssues(parsed.error, name)}`, { cause: parsed.error });
      validated.set(name, parsed.data);
    }
    return validated.get(name) as Policy[K];
  };
  return Object.freeze({
    ...(document.$schema !== undefined && { $schema: document.$schema }),
    version: document.version,
    ...(document.description !== undefined && { description: document.description }),
    get notify() {
      return section('notify');
    },
    get remediation() {
      return section('remediation');
    },
    get responder() {
      return section('responder');
    },
    get logs() {
      return section('logs');
    },
  });
}
