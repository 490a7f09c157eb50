// Responder wiring, free of the AWS SDK: the policy checked at cold start; the adapters loaded when an alarm or the schedule needs them.
import { type Config, required } from '../config';
import { ConfigError } from '../errors';
import { loadOnce } from '../load-once';
import type { Policy } from '../policy/schema';
import { unknownScaleTargets, type ResponderPolicy } from './policy';
import type { ResponderDeps } from './ports';

/** What decides whether the responder handles an alarm: known before any adapter is. */
export type ResponderSettings = Pick<ResponderDeps, 'policy' | 'dryRun'>;

/** The settings now, the adapters only for an alarm the policy hands to a service, or the schedule. */
export interface LazyResponderDeps extends ResponderSettings {
  /** Every dependency, with the same policy and DRY_RUN; loaded once per container, a failed load is tried again. */
  readonly load: () => Promise<ResponderDeps>;
}

/**
 * The responder's settings, checked now (cold start): every policy section the responder reads is read,
 * so a stage policy validates them. Throws a ConfigError for a scale target the `remediation` section
 * does not know, or a live run without STATE_TABLE.
 */
export function responderSettings(config: Config, policy: Policy, dryRun: boolean = config.dryRun): ResponderSettings {
  // Every section the responder reads, read now: a stage policy validates each section when first read.
  const { notify: _routing, remediation } = policy;
  const responder: ResponderPolicy = policy.responder ?? { services: {} };
  const unknown = unknownScaleTargets(responder, remediation);
  if (unknown.length > 0) throw new ConfigError(`Invalid policy for stage ${config.stage}: ${unknown.join('; ')}`);
  if (!dryRun) required(config.stateTable, 'STATE_TABLE');
  return { policy: responder, dryRun };
}

/**
 * The settings now, the adapters from `load` (typically an `import()` of the wiring) the first time they
 * are needed: most alarms of the topic are handed to no service, and those invocations never evaluate
 * the adapters' AWS SDK clients. Kept for the container; a failed load is not, so the next invocation tries again.
 */
export function lazyResponderDeps(settings: ResponderSettings, load: (settings: ResponderSettings) => Promise<ResponderDeps>): LazyResponderDeps {
  const { policy, dryRun } = settings;
  return { policy, dryRun, load: loadOnce(() => load({ policy, dryRun })) };
}

/** Dependencies already built (tests), in the shape respondToEvent takes. */
export function loadedResponderDeps(deps: ResponderDeps): LazyResponderDeps {
  return { policy: deps.policy, dryRun: deps.dryRun, load: () => Promise.resolve(deps) };
}
