// Configuration: the policy of the running stage, validated when the module loads (cold start).
import { config } from '../config';
import { ConfigError } from '../errors';
import { parsePolicy } from './parse-policy';
import type { Policy } from './schema';
import dev from './stages/dev.json';
import local from './stages/local.json';
import prod from './stages/prod.json';

/** Every stage's policy document, bundled with the code so a deploy ships the policy it was tested with. */
export const STAGE_POLICIES: Readonly<Record<string, unknown>> = { local, dev, prod };

/** The validated policy of `stage`; throws a ConfigError for an unknown stage or a bad field. */
export function policyForStage(stage: string): Policy {
  const document = STAGE_POLICIES[stage];
  if (document === undefined) {
    throw new ConfigError(`No policy for stage "${stage}": add shared/policy/stages/${stage}.json (known: ${Object.keys(STAGE_POLICIES).join(', ')})`);
  }
  return parsePolicy(document, `policy for stage ${stage}`);
}

/** The policy of this process's stage. */
export const policy: Policy = policyForStage(config.stage);
