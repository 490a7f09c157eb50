// Wiring support, free of the AWS SDK: what a remediation function builds at cold start, and its adapters loaded when a rule first matches.
import { loadOnce } from '../load-once';
import { parseRemediationPolicy, type RemediationPolicy } from './policy';
import type { Breakers, DeploymentActuator, LazyRemediationDeps, NodegroupScaler, RemediationDeps, RemediationSettings } from './types';

/** What a stage without a `remediation` section gets: nothing is ever done. */
export const DISABLED_REMEDIATION: RemediationPolicy = parseRemediationPolicy({
  enabled: false,
  budget: { windowSeconds: 3600, perTarget: 0, global: 0 },
});

/** The actuators; a function wires only the ones its actions use, so its bundle carries no other. */
export type RemediationActuators = Pick<RemediationDeps, 'nodegroups' | 'deployments' | 'breakers'>;

/** A function that opens no breaker (scaleNodegroup, scaleDeployment): the allow-list is empty, so none is reached. */
export const NO_BREAKERS: Breakers = {
  targets: [],
  flags: {
    read: () => Promise.reject(new Error('this function opens no breaker; the responder does')),
    write: () => Promise.reject(new Error('this function opens no breaker; the responder does')),
    list: () => Promise.reject(new Error('this function opens no breaker; the responder does')),
  },
};

/**
 * The policy and DRY_RUN now, the adapters from `load` (typically an `import()` of a wiring module) the
 * first time a rule matches. Most alarms of the topic match no rule of a function, so those invocations
 * never evaluate the adapters' AWS SDK clients. `load` gets the same settings, so the adapters agree with
 * them; what it gives is kept for the container, and a failed load is not, so the next invocation tries again.
 */
export function lazyRemediationDeps(settings: RemediationSettings, load: (settings: RemediationSettings) => Promise<RemediationDeps>): LazyRemediationDeps {
  const { policy, dryRun } = settings;
  return { policy, dryRun, load: loadOnce(() => load({ policy, dryRun })) };
}

/** Dependencies already built (tests, a caller that needs them anyway), in the shape remediateAlarm takes. */
export function loadedRemediationDeps(deps: RemediationDeps): LazyRemediationDeps {
  return { policy: deps.policy, dryRun: deps.dryRun, load: () => Promise.resolve(deps) };
}

/** Stands in for the actuator of actions a function does not handle (its scope excludes them); any use is a wiring error. */
export function unwiredDeploymentActuator(functionName: string): DeploymentActuator {
  const refuse = (): Promise<never> => Promise.reject(new Error(`${functionName} does not act on Kubernetes deployments; scaleDeployment does`));
  return { inspect: refuse, scale: refuse, setHpaMinReplicas: refuse, restart: refuse };
}

/** Stands in for the node-group actuator in a function that does not resize node groups; any use is a wiring error. */
export function unwiredNodegroupScaler(functionName: string): NodegroupScaler {
  const refuse = (): Promise<never> => Promise.reject(new Error(`${functionName} does not resize node groups; scaleNodegroup does`));
  return { describe: refuse, setDesired: refuse };
}

/**
 * A DeploymentActuator whose real one is loaded on first use (`load` is typically an `import()`), so a
 * caller that rarely acts on deployments does not pay for the Kubernetes client at cold start. The
 * loaded actuator is kept for the container; a failed load is not, so the next use tries again.
 */
export function lazyDeploymentActuator(load: () => Promise<DeploymentActuator>): DeploymentActuator {
  const actuator = loadOnce(load);
  return {
    inspect: async (target) => (await actuator()).inspect(target),
    scale: async (target, replicas, options) => (await actuator()).scale(target, replicas, options),
    setHpaMinReplicas: async (target, hpaName, minReplicas, options) => (await actuator()).setHpaMinReplicas(target, hpaName, minReplicas, options),
    restart: async (target, at, options) => (await actuator()).restart(target, at, options),
  };
}

/** A NodegroupScaler whose real one is loaded on first use, like `lazyDeploymentActuator`. */
export function lazyNodegroupScaler(load: () => Promise<NodegroupScaler>): NodegroupScaler {
  const scaler = loadOnce(load);
  return {
    describe: async (target) => (await scaler()).describe(target),
    setDesired: async (target, capacity, desired) => (await scaler()).setDesired(target, capacity, desired),
  };
}
