// Operator CLI: the region a stage deploys to, read from serverless.yml's params as the framework resolves `provider.region: ${param:region}`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ConfigError } from '../errors';

/** The repository's serverless.yml, the one source of each stage's settings. */
export const SERVERLESS_YML = join(__dirname, '../../serverless.yml');

/** The parts of serverless.yml the operator commands read. */
export interface ServerlessConfig {
  readonly service: string;
  /** `params`: per stage, with `default` for what a stage does not set. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  readonly custom: Readonly<Record<string, unknown>>;
  /** `functions`: each key with the deployed `name` when the file sets one. */
  readonly functions: Readonly<Record<string, { readonly name?: unknown } | null | undefined>>;
}

/** Parses serverless.yml (the repository's unless `text` is given); throws ConfigError when it is not readable. */
export function readServerlessConfig(text?: string): ServerlessConfig {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(SERVERLESS_YML, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read ${SERVERLESS_YML}: ${(error as Error).message}`, { cause: error });
    }
  }
  const doc = load(source) as Partial<Record<keyof ServerlessConfig, unknown>> | null;
  if (!doc || typeof doc.service !== 'string') throw new ConfigError('serverless.yml has no service name');
  return {
    service: doc.service,
    params: asRecord(doc.params) as ServerlessConfig['params'],
    custom: asRecord(doc.custom),
    functions: asRecord(doc.functions) as ServerlessConfig['functions'],
  };
}

/**
 * The region `stage` deploys to: `params.<stage>.region`, else `params.default.region`, as the
 * framework resolves `${param:region}`. Throws ConfigError, saying to give one, when neither is a
 * plain region (unset, or a variable only the framework can resolve).
 */
export function stageRegion(stage: string, config: ServerlessConfig = readServerlessConfig()): string {
  const region = config.params[stage]?.region ?? config.params.default?.region;
  if (typeof region !== 'string' || region.length === 0 || region.includes('${')) {
    throw new ConfigError(`serverless.yml gives stage ${stage} no plain region in params (${region === undefined ? 'none' : JSON.stringify(region)}): give --region`);
  }
  return region;
}

const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
