// Unit tests: the EKS bearer token — prefix, encoding, the signed cluster header, expiry, and regeneration.
import { createHash, createHmac } from 'node:crypto';
import {
  CLUSTER_ID_HEADER,
  createEksToken,
  EKS_TOKEN_PREFIX,
  EksTokenCache,
  PRESIGN_EXPIRES_SECONDS,
  TOKEN_REFRESH_AFTER_MS,
} from '../../../shared/k8s/token';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const signingDate = new Date('2026-11-21T05:00:00.000Z');

const decode = (token: string) => new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));

/** An independent SigV4 check of a presigned GET URL whose signed headers are host and the cluster header. */
function expectedSignature(url: URL, cluster: string): string {
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = params
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.hostname}`, `${CLUSTER_ID_HEADER}:${cluster}`, '', 'host;x-k8s-aws-id', createHash('sha256').update('').digest('hex')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = `${amzDate.slice(0, 8)}/us-east-1/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, amzDate.slice(0, 8));
  for (const part of ['us-east-1', 'sts', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('createEksToken', () => {
  it('is k8s-aws-v1. followed by base64url without padding of a presigned STS GetCallerIdentity URL', async () => {
    const token = await createEksToken('retail-prediction-cluster', { region: 'us-east-1', credentials, signingDate });

    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.us-east-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261121/us-east-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261121T050000Z');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token-example');
  });

  it('signs the x-k8s-aws-id header naming the cluster, and expires in 60 s', async () => {
    const token = await createEksToken('retail-prediction-cluster', { region: 'us-east-1', credentials, signingDate });
    const url = decode(token);

    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(PRESIGN_EXPIRES_SECONDS));
    expect(PRESIGN_EXPIRES_SECONDS).toBe(60);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'retail-prediction-cluster'));
    // The header is not hoisted into the query: STS must receive it as a header to check it.
    expect(url.searchParams.has(CLUSTER_ID_HEADER)).toBe(false);
  });

  it.each([
    ['cn-north-1', 'https://sts.cn-north-1.amazonaws.com.cn'],
    ['eusc-de-east-1', 'https://sts.eusc-de-east-1.amazonaws.eu'],
    ['us-gov-west-1', 'https://sts.us-gov-west-1.amazonaws.com'],
    ['us-isob-east-1', 'https://sts.us-isob-east-1.sc2s.sgov.gov'],
    ['ap-southeast-5', 'https://sts.ap-southeast-5.amazonaws.com'],
  ])('in %s the token is for its partition\'s STS host, the one EKS accepts there', async (region, origin) => {
    const token = await createEksToken('retail-prediction-cluster', { region, credentials, signingDate });
    const url = decode(token);
    expect(url.origin).toBe(origin);
    expect(url.searchParams.get('X-Amz-Credential')).toBe(`AKIDEXAMPLE/20261121/${region}/sts/aws4_request`);
  });

  it('a token for another cluster carries another signature', async () => {
    const a = decode(await createEksToken('retail-prediction-cluster', { region: 'us-east-1', credentials, signingDate }));
    const b = decode(await createEksToken('other-cluster', { region: 'us-east-1', credentials, signingDate }));

    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
    expect(b.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(b, 'other-cluster'));
  });
});

describe('EksTokenCache', () => {
  it('reuses a token until it is due, and regenerates it before it is 14 minutes old', async () => {
    let now = 0;
    let made = 0;
    const cache = new EksTokenCache(async (cluster) => `${cluster}-${++made}`, () => now);

    expect(await cache.get('c')).toEqual({ token: 'c-1', fresh: true });
    now = TOKEN_REFRESH_AFTER_MS - 1;
    expect(await cache.get('c')).toEqual({ token: 'c-1', fresh: false });
    now = TOKEN_REFRESH_AFTER_MS;
    expect(await cache.get('c')).toEqual({ token: 'c-2', fresh: true });
    expect(TOKEN_REFRESH_AFTER_MS).toBeLessThan(14 * 60_000);
  });

  it('keeps one token per cluster', async () => {
    const cache = new EksTokenCache(async (cluster) => `token-for-${cluster}`, () => 0);
    expect((await cache.get('a')).token).toBe('token-for-a');
    expect((await cache.get('b')).token).toBe('token-for-b');
  });
});
