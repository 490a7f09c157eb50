// Adapter: scales and restarts Kubernetes deployments (and moves an owning HPA's minReplicas) through the API server.
import type { KubeClientFactory } from '../k8s/client';
import { DEFAULT_KUBE_TIMEOUT_MS, kubeCall, KubernetesRequestError, patchOptions, readOptions } from '../k8s/request';
import { UnreadableInputError } from '../read-failure';
import { OutcomeUnknownError } from './errors';
import type { DeploymentTarget } from './policy';
import type { DeploymentActuator, DeploymentState } from './types';

/** The pod-template annotation `kubectl rollout restart` sets; changing it rolls the pods. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

const dryRunParam = (dryRun: boolean) => (dryRun ? 'All' : undefined);

/** A write whose answer timed out may have been applied by the API server: said so, so its claim is kept. */
async function write(operation: string, call: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  try {
    await kubeCall(operation, call, timeoutMs);
  } catch (error) {
    if (error instanceof KubernetesRequestError && error.timedOut) {
      throw new OutcomeUnknownError(`${error.message}; the API server may have applied it`, { cause: error });
    }
    throw error;
  }
}

/** The real DeploymentActuator over @kubernetes/client-node. */
export function kubeDeploymentActuator(clientsFor: KubeClientFactory, timeoutMs: number = DEFAULT_KUBE_TIMEOUT_MS): DeploymentActuator {
  const where = (t: DeploymentTarget) => `${t.namespace}/${t.name}`;
  // Reaching the cluster (eks:DescribeCluster, the EKS token, or KUBECONFIG) failing is said as such;
  // the API server's own answers keep their status and reason.
  const clientsOf = async (target: DeploymentTarget) => {
    try {
      return await clientsFor(target.cluster);
    } catch (error) {
      throw new UnreadableInputError(`the endpoint and credentials of cluster ${target.cluster}`, error);
    }
  };

  return {
    async inspect(target): Promise<DeploymentState> {
      const { apps, autoscaling } = await clientsOf(target);
      const [deployment, hpas] = await Promise.all([
        kubeCall(`get deployment ${where(target)}`, () => apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace }, readOptions(timeoutMs)), timeoutMs),
        kubeCall(`list horizontalpodautoscalers in ${target.namespace}`, () =>
          autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: target.namespace }, readOptions(timeoutMs)),
          timeoutMs,
        ),
      ]);
      const owner = hpas.items.find(
        (h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === target.name && (h.spec.scaleTargetRef.apiVersion ?? 'apps/v1').startsWith('apps/'),
      );
      return {
        replicas: deployment.spec?.replicas ?? 1,
        paused: deployment.spec?.paused === true,
        restartedAt: deployment.spec?.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION],
        hpa: owner?.metadata?.name && owner.spec
          ? { name: owner.metadata.name, minReplicas: owner.spec.minReplicas ?? 1, maxReplicas: owner.spec.maxReplicas }
          : undefined,
      };
    },

    async scale(target, replicas, { dryRun }) {
      const { apps } = await clientsOf(target);
      await write(`scale deployment ${where(target)} to ${replicas}`, () =>
        apps.patchNamespacedDeploymentScale(
          { name: target.name, namespace: target.namespace, body: { spec: { replicas } }, dryRun: dryRunParam(dryRun) },
          patchOptions('merge', timeoutMs),
        ),
        timeoutMs,
      );
    },

    async setHpaMinReplicas(target, hpaName, minReplicas, { dryRun }) {
      const { autoscaling } = await clientsOf(target);
      await write(`set minReplicas of HPA ${target.namespace}/${hpaName} to ${minReplicas}`, () =>
        autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { name: hpaName, namespace: target.namespace, body: { spec: { minReplicas } }, dryRun: dryRunParam(dryRun) },
          patchOptions('merge', timeoutMs),
        ),
        timeoutMs,
      );
    },

    async restart(target, at, { dryRun }) {
      const { apps } = await clientsOf(target);
      // Strategic merge of one key: the template's other annotations are left exactly as they are.
      const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } } };
      await write(`restart deployment ${where(target)}`, () =>
        apps.patchNamespacedDeployment({ name: target.name, namespace: target.namespace, body, dryRun: dryRunParam(dryRun) }, patchOptions('strategic-merge', timeoutMs)),
        timeoutMs,
      );
    },
  };
}
