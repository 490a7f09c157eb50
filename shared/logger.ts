// Observability: the one structured JSON logger every module logs through.
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Where the process's logger is kept. A lazy file of a bundle (esbuild.config.js) carries its own copy of
 * this module; its modules must still log through the instance the handler's middleware gives the Lambda
 * context (request id, cold start) to.
 */
const PROCESS_LOGGER = Symbol.for('firebreak.logger');
const registry = globalThis as { [PROCESS_LOGGER]?: Logger };

/** Structured logger; add `alarm`, `incidentId`, `target` as keys rather than in the message. One per process. */
export const logger: Logger = (registry[PROCESS_LOGGER] ??= new Logger({ serviceName: 'firebreak' }));
