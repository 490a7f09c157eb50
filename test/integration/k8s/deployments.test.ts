// Integration tests: the real @kubernetes/client-node, through a kubeconfig, against a strict Kubernetes API double on loopback.
import { AppsV1Api, KubeConfig, setHeaderOptions } from '@kubernetes/client-node';
import { eksClientFactory, kubeconfigClientFactory } from '../../../shared/k8s/client';
import { KubernetesApiError, KubernetesRequestError, readOptions } from '../../../shared/k8s/request';
import { EksTokenCache } from '../../../shared/k8s/token';
import { UnreadableInputError } from '../../../shared/read-failure';
import { kubeDeploymentActuator, RESTARTED_AT_ANNOTATION } from '../../../shared/remediation/deployment-actuator';
import { executeRemediation } from '../../../shared/remediation/execute';
import { deploymentRequest, fakeDeps, NOW, samplePolicy } from '../../unit/remediation/support/fixtures';
import { KubeApiDouble, TEST_CA_DATA } from './kube-api-double';

let api: KubeApiDouble;
beforeAll(async () => {
  api = await KubeApiDouble.start();
});
afterAll(() => api.close());
beforeEach(() => {
  api.reset();
  api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 3, annotations: { 'prometheus.io/scrape': 'true', 'team': 'forecasting' } });
});

const target = () => samplePolicy().deployments[0]!;
const actuator = (timeoutMs = 2_000) => kubeDeploymentActuator(kubeconfigClientFactory(api.writeKubeconfig()), timeoutMs);
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

describe('reading', () => {
  it('reports replicas, paused, restartedAt and the HPA whose scaleTargetRef is the deployment', async () => {
    api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 4, paused: true, annotations: { [RESTARTED_AT_ANNOTATION]: '2026-11-20T10:00:00Z' } });
    api.seedHpa({ namespace: 'mlops', name: 'other-hpa', deployment: 'other-api', minReplicas: 1, maxReplicas: 3 });
    api.seedHpa({ namespace: 'mlops', name: 'forecast-hpa', deployment: 'retail-forecast-api', minReplicas: 3, maxReplicas: 12 });

    const state = await actuator().inspect(target());

    expect(state).toEqual({ replicas: 4, paused: true, restartedAt: '2026-11-20T10:00:00Z', hpa: { name: 'forecast-hpa', minReplicas: 3, maxReplicas: 12 } });
    expect(api.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /apis/apps/v1/namespaces/mlops/deployments/retail-forecast-api',
      'GET /apis/autoscaling/v2/namespaces/mlops/horizontalpodautoscalers',
    ]);
    expect(api.requests.every((r) => r.headers.authorization === 'Bearer test-token')).toBe(true);
  });

  it('a missing deployment is a 404 with the Status reason and message', async () => {
    const ghost = { ...target(), name: 'ghost-api' };

    const error = await rejection(actuator().inspect(ghost));

    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 404, reason: 'NotFound' });
    expect((error as Error).message).toBe('get deployment mlops/ghost-api failed: 404 NotFound: deployments.apps "ghost-api" not found');
  });
});

describe('scaling', () => {
  it('patches the scale subresource with an explicit merge-patch Content-Type', async () => {
    await actuator().scale(target(), 6, { dryRun: false });

    const [write] = api.writes();
    expect(write).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/mlops/deployments/retail-forecast-api/scale' });
    expect(write?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(write?.body ?? '')).toEqual({ spec: { replicas: 6 } });
    expect(write?.query.has('dryRun')).toBe(false);
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 6 } });
  });

  it('in a dry run sends dryRun=All and nothing changes', async () => {
    await actuator().scale(target(), 6, { dryRun: true });

    expect(api.writes()[0]?.query.get('dryRun')).toBe('All');
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 3 } });
  });

  it('invalid replicas are a 422 Invalid with the API message', async () => {
    const error = await rejection(actuator().scale(target(), -1, { dryRun: false }));

    expect(error).toMatchObject({ status: 422, reason: 'Invalid' });
    expect((error as Error).message).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('without an explicit Content-Type the generated client sends json-patch, which the API refuses for an object body', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(api.writeKubeconfig());
    const apps = kc.makeApiClient(AppsV1Api);

    const error = await rejection(apps.patchNamespacedDeploymentScale({ name: 'retail-forecast-api', namespace: 'mlops', body: { spec: { replicas: 6 } } }, readOptions(2_000)));

    expect(api.requests[0]?.headers['content-type']).toBe('application/json-patch+json');
    expect(error).toMatchObject({ code: 400 });
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 3 } });
  });

  it('an unsupported patch Content-Type is a 415', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(api.writeKubeconfig());
    const apps = kc.makeApiClient(AppsV1Api);

    const error = await rejection(
      apps.patchNamespacedDeploymentScale({ name: 'retail-forecast-api', namespace: 'mlops', body: { spec: { replicas: 6 } } }, setHeaderOptions('Content-Type', 'application/json')),
    );

    expect(error).toMatchObject({ code: 415 });
    expect(String((error as { body?: unknown }).body)).toContain('UnsupportedMediaType');
  });

  it("moves an HPA's minReplicas with merge-patch, and reports 422 when above its max", async () => {
    api.seedHpa({ namespace: 'mlops', name: 'forecast-hpa', deployment: 'retail-forecast-api', minReplicas: 3, maxReplicas: 12 });

    await actuator().setHpaMinReplicas(target(), 'forecast-hpa', 6, { dryRun: false });
    const error = await rejection(actuator().setHpaMinReplicas(target(), 'forecast-hpa', 20, { dryRun: false }));

    expect(api.writes()[0]).toMatchObject({ path: '/apis/autoscaling/v2/namespaces/mlops/horizontalpodautoscalers/forecast-hpa' });
    expect(api.writes()[0]?.headers['content-type']).toBe('application/merge-patch+json');
    expect(api.hpas.get('mlops/forecast-hpa')).toMatchObject({ spec: { minReplicas: 6, maxReplicas: 12 } });
    expect(error).toMatchObject({ status: 422, reason: 'Invalid' });
  });
});

describe('restarting', () => {
  it('sets restartedAt with a strategic-merge patch and leaves the other annotations alone', async () => {
    await actuator().restart(target(), NOW.toISOString(), { dryRun: false });

    const [write] = api.writes();
    expect(write).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/mlops/deployments/retail-forecast-api' });
    expect(write?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(write?.body ?? '')).toEqual({ spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: NOW.toISOString() } } } } });
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({
      spec: { template: { metadata: { annotations: { 'prometheus.io/scrape': 'true', team: 'forecasting', [RESTARTED_AT_ANNOTATION]: NOW.toISOString() } } } },
    });
  });

  it('a conflict is a 409 with the API message', async () => {
    api.failNext(409, 'Conflict', 'Operation cannot be fulfilled on deployments.apps "retail-forecast-api": the object has been modified');

    const error = await rejection(actuator().restart(target(), NOW.toISOString(), { dryRun: false }));

    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 409, reason: 'Conflict' });
    expect((error as Error).message).toContain('the object has been modified');
  });
});

describe('transport', () => {
  it('abandons a call that takes longer than the timeout', async () => {
    api.delayNextMs = 1_000;

    const started = Date.now();
    const error = await rejection(actuator(150).inspect(target()));

    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect((error as Error).message).toMatch(/^(get deployment mlops\/retail-forecast-api|list horizontalpodautoscalers in mlops) failed: no answer within 150 ms$/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('through EKS auth: the token is the bearer, DescribeCluster is asked once, and a due token is replaced', async () => {
    let clock = 0;
    let issued = 0;
    const describe = jest.fn(async () => ({ endpoint: api.url, caData: TEST_CA_DATA }));
    const tokens = new EksTokenCache(async (cluster) => `k8s-aws-v1.${cluster}-${++issued}`, () => clock);
    api.acceptTokens('k8s-aws-v1.retail-prediction-cluster-1', 'k8s-aws-v1.retail-prediction-cluster-2');
    const eksActuator = kubeDeploymentActuator(eksClientFactory({ region: 'us-east-1', describe, tokens }));

    await eksActuator.scale(target(), 4, { dryRun: false });
    clock = 11 * 60_000;
    await eksActuator.scale(target(), 5, { dryRun: false });

    expect(api.writes().map((r) => r.headers.authorization)).toEqual([
      'Bearer k8s-aws-v1.retail-prediction-cluster-1',
      'Bearer k8s-aws-v1.retail-prediction-cluster-2',
    ]);
    expect(describe).toHaveBeenCalledTimes(1);
    expect(describe).toHaveBeenCalledWith('retail-prediction-cluster');
  });

  it('a cluster that cannot be looked up (no credentials for eks:DescribeCluster) is an UnreadableInputError naming it; nothing is sent', async () => {
    const describe = jest.fn(async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    const eksActuator = kubeDeploymentActuator(eksClientFactory({ region: 'us-east-1', describe, tokens: new EksTokenCache(async () => 'k8s-aws-v1.unused') }));

    const read = await rejection(eksActuator.inspect(target()));
    const write = await rejection(eksActuator.scale(target(), 6, { dryRun: false }));

    for (const error of [read, write]) {
      expect(error).toBeInstanceOf(UnreadableInputError);
      expect((error as Error).message).toBe('could not read the endpoint and credentials of cluster retail-prediction-cluster: no AWS credentials');
    }
    expect(api.requests).toEqual([]);
  });

  it('a token the API does not accept is a 401', async () => {
    api.acceptTokens('another-token');
    await expect(actuator().inspect(target())).rejects.toMatchObject({ status: 401 });
  });
});

describe('behind the guards', () => {
  it('HighCPU ALARM scales mlops/retail-forecast-api from 3 to 6', async () => {
    const { deps, audit } = fakeDeps({ deployments: actuator() });

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'done', before: 3, after: 6 });
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 6 } });
    expect(audit[0]).toMatchObject({ status: 'done', before: 3, after: 6 });
  });

  it('DRY_RUN validates on the server with dryRun=All and changes nothing', async () => {
    const { deps } = fakeDeps({ deployments: actuator(), dryRun: true });

    const outcome = await executeRemediation(deploymentRequest(), deps);

    expect(outcome).toMatchObject({ status: 'dry-run', after: 6 });
    expect(api.writes().map((r) => r.query.get('dryRun'))).toEqual(['All']);
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 3 } });
  });

  it('a paused deployment is not restarted: no PATCH reaches the API', async () => {
    api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 3, paused: true });
    const { deps } = fakeDeps({ deployments: actuator() });

    const outcome = await executeRemediation(deploymentRequest({ action: { kind: 'restart-deployment', target: 'retail-forecast-api' } }), deps);

    expect(outcome).toMatchObject({ status: 'refused', guard: 'target-state' });
    expect(api.writes()).toEqual([]);
  });

  it('a write whose answer times out keeps its claim: the retry is refused by the cooldown instead of scaling by the step again', async () => {
    const real = actuator(150);
    // The API server applies the PATCH but answers after the timeout (a server slow under the incident's load).
    const slowWrites = { ...real, scale: (...args: Parameters<typeof real.scale>) => ((api.delayNextMs = 1_000), real.scale(...args)) };
    const { deps, ledger, notices } = fakeDeps({ deployments: slowWrites });
    const request = deploymentRequest({ action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { step: 2 } } });

    await expect(executeRemediation(request, deps)).rejects.toThrow('scale deployment mlops/retail-forecast-api to 5 failed: no answer within 150 ms; the API server may have applied it');
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 5 } });
    expect(ledger.released).toEqual([]);

    // Lambda's retry of the same message.
    await expect(executeRemediation(request, deps)).resolves.toMatchObject({ status: 'refused', guard: 'cooldown' });
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 5 } });
    expect(notices[0]).toMatchObject({ guard: 'cooldown' });
  });

  it('an API failure fails the remediation and gives back its claim', async () => {
    api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 3 });
    const { deps, ledger } = fakeDeps({ deployments: actuator() });
    // The reads succeed; the PATCH meets a conflict.
    const inspect = deps.deployments.inspect.bind(deps.deployments);
    const guarded = { ...deps, deployments: { ...deps.deployments, inspect: async (t: Parameters<typeof inspect>[0]) => { const s = await inspect(t); api.failNext(409, 'Conflict', 'the object has been modified'); return s; } } };

    await expect(executeRemediation(deploymentRequest(), guarded)).rejects.toMatchObject({ status: 409 });
    expect(ledger.released).toHaveLength(1);
  });
});
