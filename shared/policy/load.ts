// Configuration: the policy of the running stage, validated when the module loads (cold start).
import { config } from '../config';
import { ConfigError } from '../errors';
import { parsePolicy, parsePolicyBySection } from './parse-policy';
import type { Policy } from './schema';
import dev from './stages/dev.json';
import local from './stages/local.json';
import prod from './stages/prod.json';

/** Every stage's policy document, bundled with the code so a deploy ships the policy it was tested with. */
export const STAGE_POLICIES: Readonly<Record<string, unknown>> = { local, dev, prod };

function stageDocument(stage: string): unknown {
  const document = STAGE_POLICIES[stage];
  if (document === undefined) {
    throw new ConfigError(`No policy for stage "${stage}": add shared/policy/stages/${stage}.json (known: ${Object.keys(STAGE_POLICIES).join(', ')})`);
  }
  return document;
}

/** The validated policy of `stage`, every section; throws a ConfigError for an unknown stage or a bad field. */
export function policyForStage(stage: string): Policy {
  return parsePolicy(stageDocument(stage), `policy for stage ${stage}`);
}

/**
 * The policy of this process's stage. Its top level is validated when the module loads, each section
 * when the function first reads it (at module scope, so still at cold start): see `parsePolicyBySection`.
 */
export const policy: Policy = parsePolicyBySection(stageDocument(config.stage), `policy for stage ${config.stage}`);
