// Observability: the one structured JSON logger every module logs through.
import { Logger } from '@aws-lambda-powertools/logger';

/** Structured logger; add `alarm`, `incidentId`, `target` as keys rather than in the message. One per process. */
export const logger = new Logger({ serviceName: 'firebreak' });
