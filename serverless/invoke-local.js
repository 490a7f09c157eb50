// Deployment tooling: a serverless plugin (registered in serverless.yml) so that a command that fails ends.

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
  constructor() {
    this.hooks = {
      error: () => stopEsbuild(),
    };
  }
}

module.exports = InvokeLocal;
