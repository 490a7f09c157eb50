// Operator CLI: --stage, --region and --dry-run, the flags every subcommand that works on a stage shares, resolved into its Config.
import { loadConfig, type Config } from '../config';
import { ConfigError } from '../errors';
import { STAGE_NAME, STAGES_DIR, stageNames } from '../policy/load';
import { REGION_CODE } from '../region';
import { UsageError, type CliIo } from './command';
import { stageRegion } from './stage-region';

/** `--stage`, for parseCommandLine. */
export const STAGE_OPTION = { stage: { type: 'string' } } as const;
/** `--stage`, `--region` and `--dry-run`, for a subcommand that reads or changes a deployed stage. */
export const STAGE_OPTIONS = { ...STAGE_OPTION, region: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

/** The help lines of STAGE_OPTION and STAGE_OPTIONS, in the same words everywhere. */
export const STAGE_HELP = `  --stage S      the stage, one of ${stageNames().join(', ')} (a file in ${STAGES_DIR}); default $STAGE, else local`;
export const STAGE_OPTIONS_HELP = `${STAGE_HELP}
  --region R     the stage's AWS region; default its region in serverless.yml's params
  --dry-run      plan and print, write nothing; the default in stage local (or with DRY_RUN=true)`;

/** The stage named by `--stage`, else `STAGE`, else `local`; a UsageError unless it has a policy file. */
export function resolveStage(flag: string | undefined, io: Pick<CliIo, 'env'>): string {
  const stage = flag ?? (io.env.STAGE || 'local');
  const known = stageNames();
  if (STAGE_NAME.test(stage) && known.includes(stage)) return stage;
  const from = flag === undefined ? ` (from STAGE=${stage})` : '';
  const add = STAGE_NAME.test(stage) ? `, or add ${STAGES_DIR}/${stage}.json to make it one` : ' (a stage name is lower-case letters, digits and dashes)';
  throw new UsageError(`unknown stage "${stage}"${from}: give --stage ${known.join('|')}${add}`);
}

/** A stage resolved for a subcommand: its settings as the functions read them, and where the region came from. */
export interface StageContext {
  readonly config: Config;
  /** `--region`, or `serverless.yml params` */
  readonly regionFrom: string;
  /** Why this is a dry run, when it is: `--dry-run`, `DRY_RUN=true`, or `the default in stage local`. */
  readonly dryRunFrom?: string;
}

/**
 * Resolves `--stage`, `--region` and `--dry-run` into the stage's Config: the environment (BREAKER_PREFIX,
 * DRY_RUN, …) as a function would read it, with the stage and region of the command line. UsageError
 * naming the flag for a bad stage or region, or a bad setting in the environment.
 */
export function resolveStageContext(
  values: { readonly stage?: string; readonly region?: string; readonly 'dry-run'?: boolean },
  io: Pick<CliIo, 'env'>,
  regionOfStage: (stage: string) => string = (stage) => stageRegion(stage),
): StageContext {
  const stage = resolveStage(values.stage, io);
  let region = values.region;
  if (region === undefined) {
    try {
      region = regionOfStage(stage);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (!new RegExp(`^${REGION_CODE.source}$`).test(region)) throw new UsageError(`--region ${region} is not a region code: give one such as eu-west-1`);
  let config: Config;
  try {
    config = loadConfig({ ...io.env, STAGE: stage, AWS_REGION: region, ...(values['dry-run'] ? { DRY_RUN: 'true' } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${error.message} (in the environment: fix or unset it)`);
    throw error;
  }
  const dryRunFrom = !config.dryRun ? undefined : values['dry-run'] ? '--dry-run' : io.env.DRY_RUN ? `DRY_RUN=${io.env.DRY_RUN}` : `the default in stage ${stage}`;
  return { config, regionFrom: values.region === undefined ? 'serverless.yml params' : '--region', dryRunFrom };
}
