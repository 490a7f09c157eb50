// Jest setup for every project: custom matchers for aws-sdk-client-mock, and quiet Lambda output.
import 'aws-sdk-client-mock-jest';

// Structured logs and EMF metrics are for CloudWatch, not test output; a test that needs them spies.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
