// Unit tests: the cluster lookup behind EKS auth.
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { describeCluster, eksClientFactory } from '../../../shared/k8s/client';
import { EksTokenCache } from '../../../shared/k8s/token';

const eks = mockClient(EKSClient);
const client = () => new EKSClient({ region: 'us-east-1' });
beforeEach(() => eks.reset());

it('reads the endpoint and CA of the cluster', async () => {
  eks.on(DescribeClusterCommand, { name: 'retail-prediction-cluster' }).resolves({
    cluster: { name: 'retail-prediction-cluster', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: { data: 'LS0tLS1CRUdJTg==' }, status: 'ACTIVE' },
  });

  await expect(describeCluster('retail-prediction-cluster', client())).resolves.toEqual({ endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', caData: 'LS0tLS1CRUdJTg==' });
});

it('says so when a cluster has no endpoint yet', async () => {
  eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'new-cluster', status: 'CREATING' } });

  await expect(describeCluster('new-cluster', client())).rejects.toThrow('EKS cluster new-cluster has no endpoint or certificate authority yet (status CREATING)');
});

it('does not keep a failed lookup: the next call asks again', async () => {
  const describe = jest.fn().mockRejectedValueOnce(new Error('Throttling')).mockResolvedValue({ endpoint: 'https://127.0.0.1:1', caData: 'Y2E=' });
  const factory = eksClientFactory({ region: 'us-east-1', describe, tokens: new EksTokenCache(async () => 'k8s-aws-v1.x') });

  await expect(factory('c')).rejects.toThrow('Throttling');
  await expect(factory('c')).resolves.toHaveProperty('apps');
  expect(describe).toHaveBeenCalledTimes(2);
});
