// Observability: CloudWatch metrics in Embedded Metric Format, one namespace for every function.
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Flushed by the handler's middleware at the end of each invocation. */
export const metrics = new Metrics({ namespace: 'Firebreak', serviceName: 'firebreak' });
