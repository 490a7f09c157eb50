// Unit tests: the SSM kill switch — engaged, released, missing, unreadable.
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { UnreadableInputError } from '../../../shared/read-failure';
import { parseKillSwitch, ssmKillSwitch } from '../../../shared/remediation/kill-switch';

const ssm = mockClient(SSMClient);
const PARAM = '/firebreak/test/kill-switch';
const client = () => new SSMClient({ region: 'us-east-1' });

beforeEach(() => ssm.reset());

describe('ssmKillSwitch', () => {
  it('is engaged when the parameter says on, and reads it on every call (no cache)', async () => {
    ssm.on(GetParameterCommand, { Name: PARAM }).resolvesOnce({ Parameter: { Name: PARAM, Value: 'off' } }).resolves({ Parameter: { Name: PARAM, Value: 'on' } });
    const killSwitch = ssmKillSwitch(PARAM, client());

    await expect(killSwitch.read()).resolves.toEqual({ engaged: false });
    await expect(killSwitch.read()).resolves.toEqual({ engaged: true });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('carries the reason of a JSON value', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '{"engaged":true,"reason":"change freeze until Monday"}' } });
    await expect(ssmKillSwitch(PARAM, client()).read()).resolves.toEqual({ engaged: true, reason: 'change freeze until Monday' });
  });

  it('is released when the parameter does not exist', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await expect(ssmKillSwitch(PARAM, client()).read()).resolves.toEqual({ engaged: false });
  });

  it('throws on any other read error, so nothing is done unchecked', async () => {
    ssm.on(GetParameterCommand).rejects(new Error('AccessDeniedException'));
    await expect(ssmKillSwitch(PARAM, client()).read()).rejects.toThrow('AccessDeniedException');
  });

  it('names the parameter and says "no AWS credentials" when the SDK found none', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const error = await ssmKillSwitch(PARAM, client()).read().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnreadableInputError);
    expect(error).toMatchObject({ source: PARAM, message: `could not read ${PARAM}: no AWS credentials` });
  });
});

describe('parseKillSwitch', () => {
  it.each(['on', 'TRUE', ' engaged ', 'stop'])('%j engages', (v) => expect(parseKillSwitch(v).engaged).toBe(true));
  it.each(['off', 'false', '0', ''])('%j releases', (v) => expect(parseKillSwitch(v).engaged).toBe(false));
  it('treats an unrecognised value as engaged and says so', () => {
    expect(parseKillSwitch('maybe')).toEqual({ engaged: true, reason: expect.stringContaining('unrecognised kill-switch value') });
  });
});
