// Configuration: every stage's policy, bundled; a function's composition root loads its stage's at cold start.
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
 * The policy of `stage` as a function loads it at cold start: its top level validated now, each section
 * when the function first reads it (while wiring, so still at cold start): see `parsePolicyBySection`.
 */
export function stagePolicy(stage: string): Policy {
  return parsePolicyBySection(stageDocument(stage), `policy for stage ${stage}`);
}
