// Configuration: the environment parsed into a frozen, typed object. Each function's composition root calls loadConfig(process.env) once, at cold start.
import * as z from './zod';

import { ConfigError } from './errors';
import { describeIssues } from './validation';
import { REGION_CODE } from './region';

export { ConfigError };

// Serverless and shells hand over unset values as empty strings: treat them as absent.
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((v: unknown) => (v === '' ? undefined : v)),
    z.optional(schema),
  );

const booleanFlag = z.pipe(
  z.string().check(
    z.toLowerCase(),
    z.refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'expected true or false'),
  ),
  z.transform((v: string) => v === 'true' || v === '1' || v === 'yes'),
);

/** A flag Powertools reads too, parsed as Powertools parses it (its `getBooleanFromEnv` with extended parsing), so both agree. */
const POWERTOOLS_TRUE = ['1', 'y', 'yes', 't', 'true', 'on'];
const POWERTOOLS_FALSE = ['0', 'n', 'no', 'f', 'false', 'off'];
const powertoolsFlag = z.pipe(
  z.string().check(
    z.toLowerCase(),
    z.refine((v) => POWERTOOLS_TRUE.includes(v) || POWERTOOLS_FALSE.includes(v), 'expected true or false'),
  ),
  z.transform((v: string) => POWERTOOLS_TRUE.includes(v)),
);

const ssmName = z.string().check(z.regex(/^\/[\w.\-/]+$/, 'expected an SSM parameter name starting with /'));

const envSchema = z.object({
  STAGE: optional(z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case stage name'))),
  DRY_RUN: optional(booleanFlag),
  AWS_REGION: optional(z.string().check(z.regex(new RegExp(`^${REGION_CODE.source}$`), 'expected a region code such as us-east-1'))),
  SLACK_WEBHOOK_URL: optional(z.url()),
  SLACK_WEBHOOK_PARAM: optional(ssmName),
  SLACK_BOT_TOKEN: optional(z.string().check(z.regex(/^xox[a-z]-[\w-]+$/, 'expected a Slack bot token (xoxb-…)'))),
  SLACK_BOT_TOKEN_PARAM: optional(ssmName),
  SLACK_SIGNING_SECRET: optional(z.string().check(z.minLength(8))),
  SLACK_SIGNING_SECRET_PARAM: optional(ssmName),
  SLACK_API_URL: optional(z.url()),
  PAGERDUTY_ROUTING_KEY: optional(z.string().check(z.minLength(1))),
  PAGERDUTY_ROUTING_KEY_PARAM: optional(ssmName),
  PAGERDUTY_EVENTS_URL: optional(z.url()),
  EMAIL_TOPIC_ARN: optional(z.string().check(z.regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN'))),
  LOG_SINK_URL: optional(z.url()),
  STATE_TABLE: optional(z.string().check(z.regex(/^[\w.-]{3,255}$/, 'expected a DynamoDB table name'))),
  BREAKER_PREFIX: optional(ssmName),
  KILL_SWITCH_PARAM: optional(ssmName),
  KUBECONFIG: optional(z.string().check(z.minLength(1))),
  RUNBOOK_BASE_URL: optional(z.url()),
  HTTP_TIMEOUT_MS: optional(z.coerce.number().check(z.int(), z.minimum(100), z.maximum(60_000))),
  DELIVERY_MAX_ATTEMPTS: optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10))),
  AWS_LAMBDA_FUNCTION_NAME: optional(z.string()),
  POWERTOOLS_METRICS_DISABLED: optional(powertoolsFlag),
});

/** Every setting Firebreak reads, resolved with defaults. Secrets are given either as values or as SSM names. */
export interface Config {
  readonly stage: string;
  /** True: every side effect is planned and logged, not done. Defaults to true in stage `local`. */
  readonly dryRun: boolean;
  readonly region: string;
  readonly slackWebhook: SecretSource;
  /** The Slack app's bot token: when set, Slack is posted to with the Web API (threads, graphs, buttons). */
  readonly slackBotToken: SecretSource;
  /** The Slack app's signing secret, which slackActions verifies interaction requests with. */
  readonly slackSigningSecret: SecretSource;
  /** The Web API's base URL (`https://slack.com/api/`; tests point it at a double). */
  readonly slackApiUrl: string;
  readonly pagerDutyRoutingKey: SecretSource;
  readonly pagerDutyEventsUrl: string;
  readonly emailTopicArn?: string;
  readonly logSinkUrl?: string;
  readonly stateTable?: string;
  readonly breakerPrefix: string;
  readonly killSwitchParam: string;
  readonly kubeconfig?: string;
  readonly runbookBaseUrl: string;
  readonly httpTimeoutMs: number;
  readonly deliveryMaxAttempts: number;
  readonly functionName?: string;
  /**
   * False when POWERTOOLS_METRICS_DISABLED is true (stage local, invoke local): Firebreak's own EMF lines
   * are not written either, as Powertools writes none of its own.
   */
  readonly metricsEnabled: boolean;
}

/** A secret given directly (local stage, tests) or by the name of an SSM SecureString parameter. */
export type SecretSource =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'none' };

const secretSource = (value?: string, name?: string): SecretSource =>
  value ? { kind: 'value', value } : name ? { kind: 'parameter', name } : { kind: 'none' };

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
/** A placeholder: set RUNBOOK_BASE_URL per stage to where runbooks/ is served (your Git host or wiki). */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://runbooks.example.com/firebreak/';

/** Parses an environment into a frozen Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid Firebreak configuration: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const stage = e.STAGE ?? 'local';
  return Object.freeze({
    stage,
    dryRun: e.DRY_RUN ?? stage === 'local',
    region: e.AWS_REGION ?? 'us-east-1',
    slackWebhook: secretSource(e.SLACK_WEBHOOK_URL, e.SLACK_WEBHOOK_PARAM),
    slackBotToken: secretSource(e.SLACK_BOT_TOKEN, e.SLACK_BOT_TOKEN_PARAM),
    slackSigningSecret: secretSource(e.SLACK_SIGNING_SECRET, e.SLACK_SIGNING_SECRET_PARAM),
    slackApiUrl: withTrailingSlash(e.SLACK_API_URL ?? DEFAULT_SLACK_API_URL),
    pagerDutyRoutingKey: secretSource(e.PAGERDUTY_ROUTING_KEY, e.PAGERDUTY_ROUTING_KEY_PARAM),
    pagerDutyEventsUrl: e.PAGERDUTY_EVENTS_URL ?? DEFAULT_PAGERDUTY_EVENTS_URL,
    emailTopicArn: e.EMAIL_TOPIC_ARN,
    logSinkUrl: e.LOG_SINK_URL,
    stateTable: e.STATE_TABLE,
    breakerPrefix: (e.BREAKER_PREFIX ?? `/firebreak/${stage}/breakers`).replace(/\/+$/, ''),
    killSwitchParam: e.KILL_SWITCH_PARAM ?? `/firebreak/${stage}/kill-switch`,
    kubeconfig: e.KUBECONFIG,
    runbookBaseUrl: withTrailingSlash(e.RUNBOOK_BASE_URL ?? DEFAULT_RUNBOOK_BASE_URL),
    httpTimeoutMs: e.HTTP_TIMEOUT_MS ?? 5_000,
    deliveryMaxAttempts: e.DELIVERY_MAX_ATTEMPTS ?? 4,
    functionName: e.AWS_LAMBDA_FUNCTION_NAME,
    metricsEnabled: !(e.POWERTOOLS_METRICS_DISABLED ?? false),
  });
}

/** Returns a setting a function cannot run without, or throws a ConfigError naming its variable. */
export function required<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new ConfigError(`${variable} must be set`);
  return value;
}

const withTrailingSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
