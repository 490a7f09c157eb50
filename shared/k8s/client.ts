// Adapter: Kubernetes API clients for a cluster — from KUBECONFIG, or from eks:DescribeCluster plus an EKS token.
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AppsV1Api, AutoscalingV2Api, KubeConfig } from './library';
import { lazyClient } from '../aws/lazy-client';
import { createEksToken, EksTokenCache } from './token';

/** The API groups remediation uses. */
export interface KubeClients {
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
}

/** Gives the clients for a cluster; may rebuild them when the credentials underneath need renewing. */
export type KubeClientFactory = (cluster: string) => Promise<KubeClients>;

// Created on the first cluster lookup (once per cluster per container); never with KUBECONFIG.
const eks = lazyClient(() => new EKSClient({ maxAttempts: 3 }));

const clientsOf = (kc: KubeConfig): KubeClients => ({ apps: kc.makeApiClient(AppsV1Api), autoscaling: kc.makeApiClient(AutoscalingV2Api) });

/** Clients from a kubeconfig file (local clusters, tests); the cluster name is the file's concern. */
export function kubeconfigClientFactory(path: string): KubeClientFactory {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const clients = clientsOf(kc);
  return async () => clients;
}

/** The endpoint and CA of an EKS cluster. */
export interface ClusterAccess {
  readonly endpoint: string;
  readonly caData: string;
}

/** Looks a cluster up with eks:DescribeCluster. */
export async function describeCluster(cluster: string, client: EKSClient = eks()): Promise<ClusterAccess> {
  const { cluster: found } = await client.send(new DescribeClusterCommand({ name: cluster }));
  const endpoint = found?.endpoint;
  const caData = found?.certificateAuthority?.data;
  if (!endpoint || !caData) throw new Error(`EKS cluster ${cluster} has no endpoint or certificate authority yet (status ${found?.status ?? 'unknown'})`);
  return { endpoint, caData };
}

/**
 * Clients for EKS clusters reached with the function's IAM role: endpoint and CA from DescribeCluster
 * (once per container), a bearer token from the token cache, clients rebuilt whenever the token is.
 */
export function eksClientFactory(options: {
  region: string;
  describe?: (cluster: string) => Promise<ClusterAccess>;
  tokens?: EksTokenCache;
}): KubeClientFactory {
  const describe = options.describe ?? ((cluster: string) => describeCluster(cluster));
  const tokens = options.tokens ?? new EksTokenCache((cluster) => createEksToken(cluster, { region: options.region }));
  const access = new Map<string, Promise<ClusterAccess>>();
  const built = new Map<string, KubeClients>();

  return async (cluster) => {
    let lookup = access.get(cluster);
    if (!lookup) {
      lookup = describe(cluster);
      access.set(cluster, lookup);
      // A failed lookup is not cached: the next invocation asks again.
      lookup.catch(() => access.delete(cluster));
    }
    const { endpoint, caData } = await lookup;
    const { token, fresh } = await tokens.get(cluster);
    const existing = built.get(cluster);
    if (existing && !fresh) return existing;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: cluster, server: endpoint, caData, skipTLSVerify: false }],
      users: [{ name: 'firebreak', token }],
      contexts: [{ name: cluster, cluster, user: 'firebreak' }],
      currentContext: cluster,
    });
    const clients = clientsOf(kc);
    built.set(cluster, clients);
    return clients;
  };
}
