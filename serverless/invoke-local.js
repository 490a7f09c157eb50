// Deployment tooling: a serverless plugin (registered in serverless.yml) so that a command that fails ends, and
// `serverless invoke local` runs a function of any stage offline, started as Lambda starts it.
const { randomUUID } = require('node:crypto');

/**
 * serverless-esbuild builds through esbuild contexts, kept for rebuilds (watch mode), and disposes of them
 * only once a command's step has succeeded. A context keeps esbuild's service process, and with it the CLI,
 * alive: after a build error, or a function that fails to start under `invoke local` (osls turns that into a
 * thrown error, so the step never completes), the CLI printed the error and then waited forever. Stopping
 * the service on any error ends every context; the CLI then exits with its error code (1).
 */
function stopEsbuild() {
  const esbuild = require(require.resolve('esbuild', { paths: [require.resolve('serverless-esbuild')] }));
  return esbuild.stop();
}

class InvokeLocal {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      // Before osls reads the function's environment (`before:invoke:local:loadEnvVars`, a plugin that runs first).
      initialize: () => this.isInvokeLocal() && this.useOfflineEnvironment(),
      'before:invoke:local:invoke': () => this.startAsLambda(),
      error: () => stopEsbuild(),
    };
  }

  isInvokeLocal() {
    return this.serverless.processedInput.commands.join(' ') === 'invoke local';
  }

  /**
   * `custom.invokeLocal.environment` replaces, for this run only, the values of the variables the function
   * already has: what only the deployed stack can resolve (a `Ref`, which osls would look up in CloudFormation
   * with credentials), DRY_RUN and the metrics switch. The template is not touched. `-e KEY=value` still
   * wins: osls applies it after this.
   */
  useOfflineEnvironment() {
    const { service } = this.serverless;
    const offline = service.custom?.invokeLocal?.environment ?? {};
    const fn = service.getFunction(this.options.function);
    const has = { ...service.provider.environment, ...fn.environment };
    for (const [key, value] of Object.entries(offline)) {
      if (key in has) fn.environment = { ...fn.environment, [key]: String(value) };
    }
  }

  /**
   * What Lambda gives a new execution environment and osls does not: `AWS_LAMBDA_INITIALIZATION_TYPE`
   * (without it Powertools reports every start as warm, `cold_start: false`), and a context whose
   * `memoryLimitInMB` is the function's `memorySize` in serverless.yml (osls's says 1024 for every
   * function, which Powertools logs as `function_memory_size`). A context given with `--context` or
   * `--contextPath` is used as it is.
   */
  startAsLambda() {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
    if (this.options.context) return;
    const { service } = this.serverless;
    const fn = service.getFunction(this.options.function);
    const provider = this.serverless.getProvider('aws');
    const timeoutMs = (Number(fn.timeout) || Number(service.provider.timeout) || 6) * 1000;
    const started = Date.now();
    this.options.context = {
      awsRequestId: randomUUID(),
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${provider.getRegion()}:000000000000:function:${fn.name}`,
      // The value osls gives AWS_LAMBDA_FUNCTION_MEMORY_SIZE: the function's memorySize, else the provider's.
      memoryLimitInMB: String(Number(fn.memorySize) || Number(service.provider.memorySize) || 1024),
      logGroupName: provider.naming.getLogGroupName(fn.name),
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(timeoutMs - (Date.now() - started), 0),
    };
  }
}

module.exports = InvokeLocal;
