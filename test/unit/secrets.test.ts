import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveSecret, ssmSecretReader } from '../../shared/secrets';

describe('resolveSecret', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  afterAll(() => ssm.restore());

  it('returns a value given directly without calling SSM', async () => {
    await expect(resolveSecret({ kind: 'value', value: 'https://hooks.slack.com/services/X' })).resolves.toBe('https://hooks.slack.com/services/X');
    expect(ssm).not.toHaveReceivedAnyCommand();
  });

  it('reads a SecureString with decryption once, then serves it from the cache', async () => {
    ssm.on(GetParameterCommand, { Name: '/firebreak/test/slack-webhook' }).resolves({ Parameter: { Value: 'https://hooks.slack.com/services/SECRET' } });
    const source = { kind: 'parameter', name: '/firebreak/test/slack-webhook' } as const;
    await expect(resolveSecret(source)).resolves.toBe('https://hooks.slack.com/services/SECRET');
    await expect(resolveSecret(source)).resolves.toBe('https://hooks.slack.com/services/SECRET');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/firebreak/test/slack-webhook', WithDecryption: true });
  });

  it('fails clearly on an empty parameter, naming it', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '' } });
    await expect(ssmSecretReader.read('/firebreak/test/empty')).rejects.toThrow('SSM parameter /firebreak/test/empty is empty or missing');
  });

  it('is undefined when no secret is configured', async () => {
    await expect(resolveSecret({ kind: 'none' })).resolves.toBeUndefined();
  });
});
