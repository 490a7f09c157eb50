// Dead-letter replay: a stage's deployed names — its functions and its dead-letter queue — as the framework names them from serverless.yml. Pure.
import type { ServerlessConfig } from '../cli/stage-region';
import { ConfigError } from '../errors';

/** The functions of one deployed stage: deployed name (`firebreak-prod-notify`) to serverless.yml key (`notify`). */
export type StageFunctions = ReadonlyMap<string, string>;

/** The deployed name of each function of `stage`: its `name` in serverless.yml, else the framework's `<service>-<stage>-<key>`. */
export function stageFunctions(stage: string, config: ServerlessConfig): StageFunctions {
  return new Map(
    Object.entries(config.functions).map(([key, fn]) => {
      const name = typeof fn?.name === 'string' ? resolve(fn.name, stage, config, `functions.${key}.name`, 'name the function plainly') : `${config.service}-${stage}-${key}`;
      return [name, key] as const;
    }),
  );
}

/** The name of the stage's dead-letter queue, `custom.deadLetterQueueName` resolved for `stage`. */
export function deadLetterQueueName(stage: string, config: ServerlessConfig): string {
  const template = config.custom.deadLetterQueueName;
  if (typeof template !== 'string') throw new ConfigError('serverless.yml has no custom.deadLetterQueueName: give --queue-url');
  return resolve(template, stage, config, 'custom.deadLetterQueueName', 'give --queue-url');
}

/** `${sls:stage}` and `${self:service}` resolved; any other variable is the framework's to resolve, so refused. */
function resolve(template: string, stage: string, config: ServerlessConfig, where: string, fix: string): string {
  const value = template.replaceAll('${sls:stage}', stage).replaceAll('${self:service}', config.service);
  if (value.includes('${')) throw new ConfigError(`serverless.yml's ${where} (${template}) holds a variable only the framework resolves: ${fix}`);
  return value;
}
