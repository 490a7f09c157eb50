// Adapter: the EKS bearer token (what `aws eks get-token` prints), made from a presigned STS GetCallerIdentity URL.
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

/** Prefix EKS's authenticator expects before the base64url URL. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** Header that binds the signature to one cluster; EKS rejects a token signed for another. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** X-Amz-Expires of the presigned URL; EKS itself caps a token's life at 15 minutes. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** A cached token is replaced once it is this old, well before EKS's 15-minute limit (and before 14). */
export const TOKEN_REFRESH_AFTER_MS = 10 * 60 * 1000;

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** The DNS suffix of every partition but `aws` (and `aws-us-gov`, which shares it), as the SDK's partitions name them. */
const PARTITION_DNS_SUFFIXES: readonly (readonly [RegExp, string])[] = [
  [/^cn-\w+-\d+$/, 'amazonaws.com.cn'],
  [/^eusc-de-\w+-\d+$/, 'amazonaws.eu'],
  [/^us-iso-\w+-\d+$/, 'c2s.ic.gov'],
  [/^us-isob-\w+-\d+$/, 'sc2s.sgov.gov'],
  [/^eu-isoe-\w+-\d+$/, 'cloud.adc-e.uk'],
  [/^us-isof-\w+-\d+$/, 'csp.hci.ic.gov'],
];

/**
 * The regional STS host of `region` (`sts.cn-north-1.amazonaws.com.cn` in China). EKS accepts a token
 * only for its own partition's STS hosts: one signed for `.amazonaws.com` there is answered 401.
 */
export function stsHostname(region: string): string {
  const suffix = PARTITION_DNS_SUFFIXES.find(([pattern]) => pattern.test(region))?.[1] ?? 'amazonaws.com';
  return `sts.${region}.${suffix}`;
}

/** Creates the token for `cluster`: `k8s-aws-v1.` + base64url (no padding) of the presigned STS URL. */
export async function createEksToken(
  cluster: string,
  options: { region: string; credentials?: Credentials; signingDate?: Date },
): Promise<string> {
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Sha256,
  });
  const hostname = stsHostname(options.region);
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: cluster },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: options.signingDate },
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(presigned.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) query.append(key, v);
  }
  const url = `https://${hostname}/?${query.toString()}`;
  // Node's base64url alphabet carries no '=' padding, which is what the authenticator expects.
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** Hands out a token per cluster, reusing it until it is TOKEN_REFRESH_AFTER_MS old. */
export class EksTokenCache {
  private readonly tokens = new Map<string, { token: string; createdAt: number }>();

  constructor(
    private readonly create: (cluster: string) => Promise<string>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The cached token for the cluster, or a new one when there is none or it is due for refresh. */
  async get(cluster: string): Promise<{ token: string; fresh: boolean }> {
    const cached = this.tokens.get(cluster);
    const now = this.clock();
    if (cached && now - cached.createdAt < TOKEN_REFRESH_AFTER_MS) return { token: cached.token, fresh: false };
    const token = await this.create(cluster);
    this.tokens.set(cluster, { token, createdAt: now });
    return { token, fresh: true };
  }
}
