// Test double: a strict Kubernetes API server (HTTPS) on 127.0.0.1 for deployments, their scale subresource and HPAs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Json = Record<string, unknown>;

// A self-signed certificate for 127.0.0.1 made for these tests only; its key protects nothing.
const TLS_DIR = join(__dirname, 'tls');
const CERT = readFileSync(join(TLS_DIR, 'server.crt'));
const KEY = readFileSync(join(TLS_DIR, 'server.key'));
/** The cluster CA as EKS DescribeCluster returns it: base64 of the PEM. */
export const TEST_CA_DATA = CERT.toString('base64');

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The patch media types kube-apiserver accepts for these resources; anything else is 415. */
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/** A Kubernetes `Status` object, as the API server answers failures. */
export function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch; for maps (all this double patches) strategic merge behaves the same. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 `add`/`replace` operations with JSON pointers, enough to show a correct json-patch works. */
function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new ApiFailure(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = structuredClone(target);
  for (const op of ops as { op?: string; path?: string; value?: unknown }[]) {
    if ((op.op !== 'add' && op.op !== 'replace') || typeof op.path !== 'string') throw new ApiFailure(422, 'Invalid', `unsupported json-patch operation ${JSON.stringify(op)}`);
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: Json = doc;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) {
        if (op.op === 'replace') throw new ApiFailure(422, 'Invalid', `replace operation does not apply: doc is missing path: ${op.path}`);
        node[part] = {};
      }
      node = node[part] as Json;
    }
    node[parts[parts.length - 1] ?? ''] = op.value;
  }
  return doc;
}

export interface DeploymentSeed {
  namespace: string;
  name: string;
  replicas: number;
  paused?: boolean;
  annotations?: Record<string, string>;
}

export interface HpaSeed {
  namespace: string;
  name: string;
  deployment: string;
  minReplicas: number;
  maxReplicas: number;
}

/**
 * Answers as kube-apiserver does for what remediation uses: bearer-token auth (401), 404 Status for a missing
 * object, 415 for a patch Content-Type it does not accept, 422 Invalid for bad replicas, 409 Conflict for a
 * stale resourceVersion, `dryRun=All` validated and not stored, unknown dryRun values rejected (400).
 * Every request is recorded; `failNext` scripts one failure (e.g. a conflict from a concurrent writer).
 */
export class KubeApiDouble {
  readonly requests: SeenRequest[] = [];
  readonly deployments = new Map<string, Json>();
  readonly hpas = new Map<string, Json>();
  private readonly scripted: { code: number; reason: string; message: string }[] = [];
  private readonly listeners: ((request: SeenRequest, code: number) => void)[] = [];
  private resourceVersion = 100;
  private tokens = new Set<string>(['test-token']);
  /** Milliseconds to hold the next answer (a slow API server). */
  delayNextMs = 0;
  private dir?: string;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<KubeApiDouble> {
    const server = createServer({ key: KEY, cert: CERT });
    const double = new KubeApiDouble(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const seen: SeenRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        double.requests.push(seen);
        let code = 200;
        let body: Json;
        try {
          body = double.handle(seen);
        } catch (error) {
          const failure = error instanceof ApiFailure ? error : new ApiFailure(500, 'InternalError', String(error));
          code = failure.code;
          body = status(failure.code, failure.reason, failure.message, failure.details);
        }
        for (const listener of double.listeners) listener(seen, code);
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const delay = double.delayNextMs;
        double.delayNextMs = 0;
        if (delay > 0) setTimeout(answer, delay).unref();
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls `listener` with each request and the status it is answered with (the sandbox prints writes). */
  onRequest(listener: (request: SeenRequest, code: number) => void): this {
    this.listeners.push(listener);
    return this;
  }

  /** Bearer tokens the server accepts. */
  acceptTokens(...tokens: string[]): this {
    this.tokens = new Set(tokens);
    return this;
  }

  /** Writes a kubeconfig pointing at this server (trusting its CA) with `token`; returns its path. */
  writeKubeconfig(token = 'test-token'): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'firebreak-kube-'));
    const path = join(this.dir, `kubeconfig-${token.length}-${this.requests.length}.yaml`);
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: double',
        '  cluster:',
        `    server: ${this.url}`,
        `    certificate-authority-data: ${TEST_CA_DATA}`,
        'users:',
        '- name: firebreak',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: double',
        '  context:',
        '    cluster: double',
        '    user: firebreak',
        'current-context: double',
        '',
      ].join('\n'),
    );
    return path;
  }

  seedDeployment(seed: DeploymentSeed): void {
    this.deployments.set(`${seed.namespace}/${seed.name}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: seed.name, namespace: seed.namespace, resourceVersion: String(++this.resourceVersion), generation: 1 },
      spec: {
        replicas: seed.replicas,
        paused: seed.paused,
        selector: { matchLabels: { app: seed.name } },
        template: { metadata: { labels: { app: seed.name }, annotations: { ...seed.annotations } }, spec: { containers: [{ name: 'api', image: 'retail/forecast:1.4.2' }] } },
      },
      status: { replicas: seed.replicas },
    });
  }

  seedHpa(seed: HpaSeed): void {
    this.hpas.set(`${seed.namespace}/${seed.name}`, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: seed.name, namespace: seed.namespace, resourceVersion: String(++this.resourceVersion) },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: seed.deployment }, minReplicas: seed.minReplicas, maxReplicas: seed.maxReplicas },
    });
  }

  /** The next request fails with this Status (after auth), whatever it is. */
  failNext(code: number, reason: string, message: string): void {
    this.scripted.push({ code, reason, message });
  }

  deployment(namespace: string, name: string): Json | undefined {
    return this.deployments.get(`${namespace}/${name}`);
  }

  /** Requests that changed or would change something. */
  writes(): SeenRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  reset(): void {
    this.requests.length = 0;
    this.deployments.clear();
    this.hpas.clear();
    this.scripted.length = 0;
    this.tokens = new Set(['test-token']);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private handle(req: SeenRequest): Json {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice('Bearer '.length))) throw new ApiFailure(401, 'Unauthorized', 'Unauthorized');
    const scripted = this.scripted.shift();
    if (scripted) throw new ApiFailure(scripted.code, scripted.reason, scripted.message);

    const dryRun = req.query.getAll('dryRun');
    if (dryRun.some((v) => v !== 'All')) throw new ApiFailure(400, 'BadRequest', `Invalid dry run value: ${dryRun.join(',')}`);

    const deployment = req.path.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/);
    if (deployment) return this.deploymentRoute(req, deployment[1] ?? '', decodeURIComponent(deployment[2] ?? ''), Boolean(deployment[3]), dryRun.length > 0);
    const hpaList = req.path.match(/^\/apis\/autoscaling\/v2\/namespaces\/([^/]+)\/horizontalpodautoscalers$/);
    if (hpaList && req.method === 'GET') {
      const items = [...this.hpas.values()].filter((h) => (h.metadata as Json).namespace === hpaList[1]);
      return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscalerList', metadata: { resourceVersion: String(this.resourceVersion) }, items };
    }
    const hpa = req.path.match(/^\/apis\/autoscaling\/v2\/namespaces\/([^/]+)\/horizontalpodautoscalers\/([^/]+)$/);
    if (hpa) return this.hpaRoute(req, `${hpa[1]}/${hpa[2]}`, dryRun.length > 0);
    throw new ApiFailure(404, 'NotFound', 'the server could not find the requested resource');
  }

  private patchBody(req: SeenRequest, current: Json): Json {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!(PATCH_TYPES as readonly string[]).includes(type)) {
      throw new ApiFailure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}, application/apply-patch+yaml`);
    }
    let patch: unknown;
    try {
      patch = JSON.parse(req.body);
    } catch {
      throw new ApiFailure(400, 'BadRequest', 'error decoding patch: invalid character');
    }
    const patched = type === 'application/json-patch+json' ? jsonPatch(current, patch) : (mergePatch(current, patch) as Json);
    const sentVersion = (isObject(patch) && isObject(patch.metadata) ? patch.metadata.resourceVersion : undefined) as string | undefined;
    const currentVersion = (current.metadata as Json | undefined)?.resourceVersion;
    if (sentVersion !== undefined && sentVersion !== currentVersion) {
      throw new ApiFailure(409, 'Conflict', 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again');
    }
    return patched;
  }

  private deploymentRoute(req: SeenRequest, namespace: string, name: string, scale: boolean, dryRun: boolean): Json {
    const key = `${namespace}/${name}`;
    const current = this.deployments.get(key);
    if (!current) throw new ApiFailure(404, 'NotFound', `deployments.apps "${name}" not found`, { name, group: 'apps', kind: 'deployments' });
    const spec = current.spec as Json;
    const asScale = (d: Json): Json => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace, resourceVersion: (d.metadata as Json).resourceVersion },
      spec: { replicas: (d.spec as Json).replicas },
      status: { replicas: (d.status as Json).replicas, selector: `app=${name}` },
    });
    if (req.method === 'GET') return scale ? asScale(current) : current;
    if (req.method !== 'PATCH') throw new ApiFailure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);

    let next: Json;
    if (scale) {
      const patchedScale = this.patchBody(req, asScale(current));
      const replicas = (patchedScale.spec as Json | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw new ApiFailure(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
      }
      next = { ...current, spec: { ...spec, replicas } };
    } else {
      next = this.patchBody(req, current);
      const replicas = (next.spec as Json).replicas;
      if (typeof replicas !== 'number' || replicas < 0) throw new ApiFailure(422, 'Invalid', `Deployment.apps "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}`);
    }
    next = { ...next, metadata: { ...(next.metadata as Json), resourceVersion: dryRun ? (current.metadata as Json).resourceVersion : String(++this.resourceVersion) } };
    if (!dryRun) this.deployments.set(key, next);
    return scale ? asScale(next) : next;
  }

  private hpaRoute(req: SeenRequest, key: string, dryRun: boolean): Json {
    const current = this.hpas.get(key);
    const name = key.split('/')[1] ?? '';
    if (!current) throw new ApiFailure(404, 'NotFound', `horizontalpodautoscalers.autoscaling "${name}" not found`);
    if (req.method === 'GET') return current;
    const next = this.patchBody(req, current);
    const spec = next.spec as Json;
    if (typeof spec.minReplicas !== 'number' || spec.minReplicas < 1 || spec.minReplicas > (spec.maxReplicas as number)) {
      throw new ApiFailure(422, 'Invalid', `HorizontalPodAutoscaler.autoscaling "${name}" is invalid: spec.minReplicas: Invalid value: ${JSON.stringify(spec.minReplicas)}: must be between 1 and maxReplicas`);
    }
    if (!dryRun) this.hpas.set(key, next);
    return next;
  }
}
