// Packaging: `serverless package --stage prod` runs offline, and the CloudFormation it generates holds the deployment's promises.
import {
  ALARM_SUBSCRIBERS,
  FUNCTION_NAMES,
  asList,
  functionLogicalId,
  packageStage,
  referencedId,
  resource,
  resourcesOfType,
  roleStatements,
  type Json,
  type JsonObject,
  type PackagedStage,
  type Template,
  REPO_ROOT,
  zipEntries,
  zipEntry,
} from './serverless';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYED_MEMORY_MB } from '../../bench/bundles';
import { FORWARD_LOGS_PROCESS_ENV } from '../../bench/logs';
import { apiLogMessages } from '../support/logs-samples';
import { defaultLogsPolicy, groupsCoveringOwnLogGroup, matchesLogGroup } from '../../shared/logs/policy';
import { policyForStage, stageNames } from '../../shared/policy/load';
import { FALLBACK_REVIEW_TEMPLATE, REVIEW_TEMPLATE_PATH } from '../../shared/responder/review';

jest.setTimeout(240_000);

let packaged: PackagedStage;
let template: Template;

beforeAll(() => {
  packaged = packageStage('prod');
  template = packaged.template;
});

afterAll(() => packaged?.cleanup());

const API_LOG_GROUP = '/aws/containerinsights/retail-prediction-cluster/application';
const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

// The only actions AWS offers no resource-level permission for, and so the only ones allowed on '*'.
const ACTIONS_WITHOUT_RESOURCE_SCOPE = new Set(['autoscaling:DescribeAutoScalingGroups', 'cloudwatch:GetMetricData', 'cloudwatch:GetMetricWidgetImage']);

const props = (logicalId: string) => resource(template, logicalId).Properties;
const roleIdOf = (name: (typeof FUNCTION_NAMES)[number]) => referencedId(props(functionLogicalId(name)).Role);

/** A role's statements granting one action, for assertions on what it may touch. */
function grants(roleId: string, action: string) {
  return roleStatements(resource(template, roleId)).filter((s) => asList(s.Action).includes(action));
}

describe('functions', () => {
  it('packages the six functions with their handlers on Node 24', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = props(functionLogicalId(name));
      expect(fn.Handler).toBe(`functions/${name}/handler.handler`);
      expect(fn.Runtime).toBe('nodejs24.x');
    }
    expect(resourcesOfType(template, 'AWS::Lambda::Function')).toHaveLength(FUNCTION_NAMES.length);
  });

  it('sets STAGE and a non-dry-run DRY_RUN on every prod function', () => {
    for (const name of FUNCTION_NAMES) {
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      expect(env.STAGE).toBe('prod');
      expect(env.DRY_RUN).toBe('false');
      expect(env.STATE_TABLE).toBe(props('StateTable').TableName);
    }
  });

  it("ships the deployed stack's values, never invoke local's offline stand-ins (custom.invokeLocal)", () => {
    const env = (name: (typeof FUNCTION_NAMES)[number]) => (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
    expect(env('notify').EMAIL_TOPIC_ARN).toEqual({ Ref: 'EmailTopic' });
    for (const name of FUNCTION_NAMES) expect(env(name).POWERTOOLS_METRICS_DISABLED).toBe('false');
  });

  it('puts no secret value in any function environment: secrets are SSM parameter names', () => {
    const secretVariables = ['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'];
    const secretShapes = [/hooks\.slack\.com\/services/i, /xox[abposr]-/, /AKIA[0-9A-Z]{16}/, /^[0-9a-f]{32}$/i];
    for (const name of FUNCTION_NAMES) {
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      for (const variable of secretVariables) expect(env).not.toHaveProperty(variable);
      for (const [key, value] of Object.entries(env)) {
        // Empty is "not configured" (notify's SLACK_BOT_TOKEN_PARAM while the stage uses the webhook).
        if (key.endsWith('_PARAM') && value !== '') expect(value).toMatch(/^\/firebreak\/prod\/[\w./-]+$/);
        for (const shape of secretShapes) expect(JSON.stringify(value)).not.toMatch(shape);
      }
    }
    expect(packaged.template.Resources.NotifyLambdaFunction!.Properties.Environment).toMatchObject({
      Variables: { SLACK_WEBHOOK_PARAM: expect.any(String), PAGERDUTY_ROUTING_KEY_PARAM: expect.any(String) },
    });
    // Nothing is resolved from SSM or Secrets Manager at deploy time either.
    expect(JSON.stringify(template)).not.toMatch(/resolve:(ssm|ssm-secure|secretsmanager):/);
  });

  it('keeps every function log group for a bounded time', () => {
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(FUNCTION_NAMES.length);
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toBe(90);
  });
});

describe('artifacts', () => {
  const filesOf = (name: (typeof FUNCTION_NAMES)[number]) => zipEntries(join(packaged.directory, `${name}.zip`)).filter((f) => !f.endsWith('.map'));

  it('gives each function its bundle, the Kubernetes client library beside it where deployments are acted on, and respond its review template', () => {
    for (const name of FUNCTION_NAMES) {
      const expected = [`functions/${name}/handler.js`];
      if (name === 'respond' || name === 'scaleDeployment') expected.push(`functions/${name}/handler.kubernetes.js`);
      if (name === 'respond') expected.push(REVIEW_TEMPLATE_PATH);
      expect({ name, files: filesOf(name).sort() }).toEqual({ name, files: expected.sort() });
    }
  });

  it('packages the post-incident review template into respond.zip where the responder reads it, so drafts are not the built-in fallback', () => {
    // REVIEW_TEMPLATE_PATH is relative to the working directory, which Lambda sets to the task root: the zip's root.
    const packagedTemplate = zipEntry(join(packaged.directory, 'respond.zip'), REVIEW_TEMPLATE_PATH);
    expect(packagedTemplate?.toString('utf8')).toBe(readFileSync(join(REPO_ROOT, REVIEW_TEMPLATE_PATH), 'utf8'));
    expect(packagedTemplate?.toString('utf8')).not.toBe(FALLBACK_REVIEW_TEMPLATE);
  });

  it('gives forwardLogs the process settings its benchmark runs with', () => {
    const environment = (props(functionLogicalId('forwardLogs')).Environment as JsonObject).Variables as JsonObject;
    expect(environment).toMatchObject(FORWARD_LOGS_PROCESS_ENV);
  });

  it('deploys each function with the memory size the bundle benchmark sizes its heap for', () => {
    for (const name of FUNCTION_NAMES) {
      expect({ name, memory: props(functionLogicalId(name)).MemorySize }).toEqual({ name, memory: DEPLOYED_MEMORY_MB[name] });
    }
  });
});

describe('least privilege', () => {
  it('gives each function its own role and creates no shared one', () => {
    const roleIds = FUNCTION_NAMES.map(roleIdOf);
    expect(new Set(roleIds).size).toBe(FUNCTION_NAMES.length);
    const roles = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);
    expect(roles.sort()).toEqual([...roleIds].sort());
    for (const id of roleIds) expect(resource(template, id!).Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  it('names every action (no wildcard) and uses Resource "*" only where AWS has no resource scope', () => {
    const policyTypes = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];
    const statements = policyTypes.flatMap((type) =>
      resourcesOfType(template, type).flatMap(([, r]) =>
        r.Type === 'AWS::IAM::Role' ? roleStatements(r) : (r.Properties.PolicyDocument as { Statement: never[] }).Statement,
      ),
    );
    expect(statements.length).toBeGreaterThan(20);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement).not.toHaveProperty('NotAction');
      for (const action of asList(statement.Action)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      if (asList(statement.Resource).includes('*')) {
        for (const action of asList(statement.Action)) expect(ACTIONS_WITHOUT_RESOURCE_SCOPE).toContain(action);
      }
    }
  });

  it('lets notify publish to the email topic, put, update and read its records in STATE_TABLE (ledger, silences, pages, groups, threads), read its secrets, draw alarm graphs and decrypt only through SSM', () => {
    const role = roleIdOf('notify')!;
    const actions = roleStatements(resource(template, role)).flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual(
      [
        'cloudwatch:GetMetricWidgetImage', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
        'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sns:Publish', 'sqs:SendMessage', 'ssm:GetParameter', 'ssm:GetParameter',
      ].sort(),
    );
    expect(grants(role, 'sns:Publish').map((s) => referencedId(s.Resource))).toEqual(['EmailTopic']);
    for (const action of ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']) expect(grants(role, action).map((s) => referencedId(s.Resource))).toEqual(['StateTable']);
    const parameterArns = JSON.stringify(grants(role, 'ssm:GetParameter').map((s) => s.Resource));
    expect(parameterArns).toContain(':parameter/firebreak/prod/slack-webhook-url');
    expect(parameterArns).toContain(':parameter/firebreak/prod/pagerduty-routing-key');
    // The Slack app's bot token, read in app mode only (notifySlackApp), never its signing secret: only slackActions verifies requests.
    expect(parameterArns).toContain(':parameter/firebreak/prod/slack-bot-token');
    expect(parameterArns).not.toContain('slack-signing-secret');
    const [decrypt] = grants(role, 'kms:Decrypt');
    expect(decrypt?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
    });
  });

  it('lets only notify publish to SNS and gives only notify EMAIL_TOPIC_ARN: the remediations and respond tell people through Slack and PagerDuty', () => {
    for (const name of FUNCTION_NAMES) {
      const publishes = grants(roleIdOf(name)!, 'sns:Publish').map((s) => referencedId(s.Resource));
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      expect({ name, publishes, mails: 'EMAIL_TOPIC_ARN' in env }).toEqual({ name, publishes: name === 'notify' ? ['EmailTopic'] : [], mails: name === 'notify' });
    }
    for (const name of ['scaleNodegroup', 'scaleDeployment', 'respond'] as const) {
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      expect(env).toMatchObject({ SLACK_WEBHOOK_PARAM: '/firebreak/prod/slack-webhook-url', PAGERDUTY_ROUTING_KEY_PARAM: '/firebreak/prod/pagerduty-routing-key', PAGERDUTY_EVENTS_URL: expect.any(String) });
    }
  });

  it("gives the remediations and respond notify's Slack mode, and the bot token to reply in the alarm's thread with; respond alone of them draws graphs", () => {
    const notifyEnv = (props(functionLogicalId('notify')).Environment as { Variables: JsonObject }).Variables;
    for (const name of ['scaleNodegroup', 'scaleDeployment', 'respond'] as const) {
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      expect({ name, token: env.SLACK_BOT_TOKEN_PARAM }).toEqual({ name, token: notifyEnv.SLACK_BOT_TOKEN_PARAM });
      expect(JSON.stringify(grants(roleIdOf(name)!, 'ssm:GetParameter').map((s) => s.Resource))).toContain(':parameter/firebreak/prod/slack-bot-token');
      expect({ name, draws: grants(roleIdOf(name)!, 'cloudwatch:GetMetricWidgetImage').length > 0 }).toEqual({ name, draws: name === 'respond' });
    }
  });

  it('puts slackActions behind a public Function URL (Slack signs its requests; the function verifies them) and outputs its URL and the app manifest', () => {
    const urls = resourcesOfType(template, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    const [urlId, url] = urls[0]!;
    expect(url.Properties).toMatchObject({ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [functionLogicalId('slackActions'), 'Arn'] } });
    const invokeByUrl = resourcesOfType(template, 'AWS::Lambda::Permission').map(([, p]) => p.Properties).filter((p) => p.Action === 'lambda:InvokeFunctionUrl');
    expect(invokeByUrl).toEqual([expect.objectContaining({ FunctionUrlAuthType: 'NONE', Principal: '*', FunctionName: { 'Fn::GetAtt': [functionLogicalId('slackActions'), 'Arn'] } })]);
    const outputs = template.Outputs as Record<string, JsonObject>;
    expect(outputs.SlackActionsLambdaFunctionUrl?.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    const [manifest, values] = (outputs.SlackAppManifest?.Value as { 'Fn::Sub': [string, JsonObject] })['Fn::Sub'];
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'slack/manifest.json'), 'utf8')) as { oauth_config: unknown; settings: { interactivity: unknown } };
    const output = JSON.parse(manifest) as typeof shipped;
    // The output is the repository's manifest with the URL filled in: the same scopes, interactivity at the function.
    expect(output.oauth_config).toEqual(shipped.oauth_config);
    expect(output.settings.interactivity).toEqual({ is_enabled: true, request_url: '${Url}' });
    expect(values).toEqual({ Url: { 'Fn::GetAtt': [urlId, 'FunctionUrl'] } });
  });

  it('lets slackActions put items in the table, read its three secrets, decrypt through SSM and invoke only itself', () => {
    const role = roleIdOf('slackActions')!;
    const actions = roleStatements(resource(template, role)).flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:PutItem', 'kms:Decrypt', 'lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'ssm:GetParameter'].sort());
    const parameters = grants(role, 'ssm:GetParameter').flatMap((s) => asList(s.Resource)).map((arn) => JSON.stringify(arn).replace(/^.*:parameter/, '').replace(/"\}$/, ''));
    expect(parameters.sort()).toEqual(['/firebreak/prod/pagerduty-routing-key', '/firebreak/prod/slack-bot-token', '/firebreak/prod/slack-signing-secret']);
    expect(JSON.stringify(grants(role, 'lambda:InvokeFunction')[0]?.Resource)).toContain(':function:firebreak-prod-slackActions');
    const env = (props(functionLogicalId('slackActions')).Environment as { Variables: JsonObject }).Variables;
    expect(env).toMatchObject({ SLACK_BOT_TOKEN_PARAM: '/firebreak/prod/slack-bot-token', SLACK_SIGNING_SECRET_PARAM: '/firebreak/prod/slack-signing-secret' });
    // prod posts through the webhook until its params say notifySlackApp: 'true'.
    expect((props(functionLogicalId('notify')).Environment as { Variables: JsonObject }).Variables.SLACK_BOT_TOKEN_PARAM).toBe('');
  });

  it('lets forwardLogs make only the conditional updates of its digest gate in the table, and read only the Slack webhook', () => {
    const role = roleIdOf('forwardLogs')!;
    const tableActions = roleStatements(resource(template, role))
      .filter((s) => referencedId(s.Resource as Json) === 'StateTable')
      .flatMap((s) => asList(s.Action));
    expect(tableActions).toEqual(['dynamodb:UpdateItem']);
    const actions = roleStatements(resource(template, role)).flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:UpdateItem', 'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'ssm:GetParameter'].sort());
    const parameterArns = grants(role, 'ssm:GetParameter').flatMap((s) => asList(s.Resource));
    expect(parameterArns.map((arn) => JSON.stringify(arn).replace(/^.*:parameter/, '').replace(/"\}$/, ''))).toEqual(['/firebreak/prod/slack-webhook-url']);
  });

  it('lets each function write only its own log group', () => {
    for (const name of FUNCTION_NAMES) {
      const [logs] = grants(roleIdOf(name)!, 'logs:PutLogEvents');
      expect(JSON.stringify(logs?.Resource)).toContain(`:log-group:/aws/lambda/firebreak-prod-${name}:*`);
    }
  });

  it('scopes scaling to the named node group, its Auto Scaling group and the cluster', () => {
    const nodegroupRole = roleIdOf('scaleNodegroup')!;
    expect(JSON.stringify(grants(nodegroupRole, 'eks:UpdateNodegroupConfig')[0]?.Resource)).toContain(
      ':nodegroup/retail-prediction-cluster/retail-prediction-nodegroup/*',
    );
    expect(JSON.stringify(grants(nodegroupRole, 'autoscaling:SetDesiredCapacity')[0]?.Resource)).toContain(
      ':autoScalingGroupName/eks-retail-prediction-nodegroup-*',
    );
    expect(JSON.stringify(grants(roleIdOf('scaleDeployment')!, 'eks:DescribeCluster')[0]?.Resource)).toContain(
      ':cluster/retail-prediction-cluster',
    );
    // The log forwarder touches no infrastructure.
    const forwarder = roleStatements(resource(template, roleIdOf('forwardLogs')!)).flatMap((s) => asList(s.Action));
    expect(forwarder.filter((a) => /^(eks|autoscaling|sns|cloudwatch):/.test(a))).toEqual([]);
  });
  it('lets respond write breaker flags only under the stage prefix, and read metrics and alarm states', () => {
    const role = roleIdOf('respond')!;
    const flagWrites = grants(role, 'ssm:PutParameter').flatMap((s) => asList(s.Resource));
    const parameterPaths = flagWrites.map((arn) => JSON.stringify(arn).replace(/^.*:parameter/, '').replace(/"\}$/, ''));
    expect(parameterPaths).toEqual(['/firebreak/prod/breakers', '/firebreak/prod/breakers/*']);
    expect(grants(role, 'cloudwatch:GetMetricData')).toHaveLength(1);
    expect(JSON.stringify(grants(role, 'cloudwatch:DescribeAlarms')[0]?.Resource)).toContain(':alarm:*');
    // Only respond manages flags, and only respond is told where they are.
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'respond')) {
      expect(grants(roleIdOf(name)!, 'ssm:PutParameter')).toEqual([]);
      expect(grants(roleIdOf(name)!, 'ssm:GetParametersByPath')).toEqual([]);
    }
    for (const name of FUNCTION_NAMES) {
      const env = (props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables;
      expect({ name, breakers: env.BREAKER_PREFIX }).toEqual({ name, breakers: name === 'respond' ? '/firebreak/prod/breakers' : undefined });
    }
    // The remediations still read the kill switch.
    for (const name of ['scaleNodegroup', 'scaleDeployment', 'respond'] as const) {
      expect((props(functionLogicalId(name)).Environment as { Variables: JsonObject }).Variables.KILL_SWITCH_PARAM).toBe('/firebreak/prod/kill-switch');
    }
  });
});

describe('alarms topic and subscriptions', () => {
  it('subscribes notify, scaleNodegroup, scaleDeployment and respond (and nothing else) to the alarms topic', () => {
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions).toHaveLength(ALARM_SUBSCRIBERS.length);
    for (const s of subscriptions) {
      expect(s.Protocol).toBe('lambda');
      expect(referencedId(s.TopicArn)).toBe('AlarmsTopic');
      // What SNS cannot deliver to the function is kept too.
      expect(referencedId((s.RedrivePolicy as JsonObject).deadLetterTargetArn)).toBe('DeadLetterQueue');
    }
    expect(subscriptions.map((s) => referencedId(s.Endpoint)).sort()).toEqual(
      ALARM_SUBSCRIBERS.map(functionLogicalId).sort(),
    );
    const snsPermissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'sns.amazonaws.com');
    expect(snsPermissions.map((p) => referencedId(p.SourceArn))).toEqual(ALARM_SUBSCRIBERS.map(() => 'AlarmsTopic'));
  });

  it('runs respond on a schedule to re-evaluate breaker flags, and notify every minute for alarm groups and announcements', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties);
    const byName = new Map(rules.map((r) => [String(r.Name), r]));
    expect([...byName.keys()].sort()).toEqual(['firebreak-prod-notify-tick', 'firebreak-prod-respond-breaker-sweep']);
    expect(byName.get('firebreak-prod-respond-breaker-sweep')).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(byName.get('firebreak-prod-notify-tick')).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    const targetOf = (name: string) => (byName.get(name)!.Targets as JsonObject[]).map((t) => referencedId(t.Arn));
    expect(targetOf('firebreak-prod-respond-breaker-sweep')).toEqual([functionLogicalId('respond')]);
    expect(targetOf('firebreak-prod-notify-tick')).toEqual([functionLogicalId('notify')]);
    const permission = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'events.amazonaws.com');
    expect(permission.map((p) => referencedId(p.FunctionName)).sort()).toEqual([functionLogicalId('notify'), functionLogicalId('respond')].sort());
  });

  it('lets only the alarms topic put undeliverable messages on the dead-letter queue', () => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties);
    expect(policies).toHaveLength(1);
    expect((policies[0]!.Queues as Json[]).map(referencedId)).toEqual(['DeadLetterQueue']);
    expect((policies[0]!.PolicyDocument as JsonObject).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'AlarmsTopic' } } },
      }),
    ]);
  });

  it('subscribes the stage e-mail addresses to the email topic', () => {
    expect(props('EmailTopic').Subscription).toEqual([
      { Protocol: 'email', Endpoint: expect.stringContaining('@') },
      { Protocol: 'email', Endpoint: expect.stringContaining('@') },
    ]);
  });
});

describe('reference alarms', () => {
  const onAlarmsTopic = (alarm: JsonObject) => {
    expect(asList(alarm.AlarmActions as Json[]).map(referencedId)).toEqual(['AlarmsTopic']);
    expect(asList(alarm.OKActions as Json[]).map(referencedId)).toEqual(['AlarmsTopic']);
  };

  it('HighLatency: InferenceLatency p95 > 200 ms, 60 s x 3', () => {
    const alarm = props('HighLatencyAlarm');
    expect(alarm).toMatchObject({
      AlarmName: 'RetailPrediction-HighLatency', Namespace: 'RetailMLOps', MetricName: 'InferenceLatency',
      ExtendedStatistic: 'p95', Period: 60, EvaluationPeriods: 3, Threshold: 200, ComparisonOperator: 'GreaterThanThreshold',
    });
    onAlarmsTopic(alarm);
  });

  it('HighErrorRate: 100 x APIErrorCount / APIRequestCount > 5 %, 60 s x 2, over the metric filters\' own counts', () => {
    const alarm = props('HighErrorRateAlarm');
    expect(alarm).toMatchObject({
      AlarmName: 'RetailPrediction-HighErrorRate', EvaluationPeriods: 2, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
    // Metric math: no metric of its own, so none that nothing produces.
    for (const key of ['Namespace', 'MetricName', 'Statistic', 'ExtendedStatistic', 'Period', 'Dimensions']) expect(alarm).not.toHaveProperty(key);
    expect(alarm.Metrics).toEqual([
      { Id: 'errorRate', Expression: '100 * apiErrors / apiRequests', Label: 'Error rate (%)', ReturnData: true },
      { Id: 'apiErrors', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIErrorCount' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'apiRequests', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIRequestCount' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    ]);
    // Each metric it reads is one a metric filter of the stack writes, with no dimensions on either side.
    const produced = resourcesOfType(template, 'AWS::Logs::MetricFilter').flatMap(([, f]) =>
      (f.Properties.MetricTransformations as JsonObject[]).map((t) => ({ Namespace: t.MetricNamespace, MetricName: t.MetricName, dimensions: t.Dimensions ?? null })),
    );
    for (const query of alarm.Metrics as { MetricStat?: { Metric: JsonObject } }[]) {
      if (!query.MetricStat) continue;
      expect(produced).toContainEqual({ ...query.MetricStat.Metric, dimensions: null });
    }
    onAlarmsTopic(alarm);
  });

  it('HighErrorRate\'s expression is a share of requests: every error line follows its own request line, and no line matches both filters', () => {
    const filters = new Map(
      resourcesOfType(template, 'AWS::Logs::MetricFilter').map(([, f]) => [(f.Properties.MetricTransformations as JsonObject[])[0]!.MetricName, String(f.Properties.FilterPattern)] as const),
    );
    // A quoted term matches a line that contains it, as CloudWatch Logs filter patterns do.
    const matches = (pattern: string | undefined, line: string) => line.includes(JSON.parse(pattern ?? '""') as string);
    const lines = apiLogMessages(400, { errorRate: 0.1, seed: 11 });
    const requests = lines.filter((l) => matches(filters.get('APIRequestCount'), l));
    const errors = lines.filter((l) => matches(filters.get('APIErrorCount'), l));
    expect(errors.length).toBeGreaterThan(0);
    expect(lines.filter((l) => matches(filters.get('APIRequestCount'), l) && matches(filters.get('APIErrorCount'), l))).toEqual([]);
    // Each error line comes right after the request line it answers, so errors are a subset of requests.
    lines.forEach((line, i) => {
      if (matches(filters.get('APIErrorCount'), line)) expect(matches(filters.get('APIRequestCount'), lines[i - 1] ?? '')).toBe(true);
    });
    expect(errors.length).toBeLessThan(requests.length);
  });

  it('HighCPU: node_cpu_utilization by ClusterName > 85 %, 300 s x 2', () => {
    const alarm = props('HighCpuAlarm');
    expect(alarm).toMatchObject({
      AlarmName: 'RetailPrediction-HighCPU', Namespace: 'ContainerInsights', MetricName: 'node_cpu_utilization',
      Dimensions: [{ Name: 'ClusterName', Value: 'retail-prediction-cluster' }],
      Statistic: 'Average', Period: 300, EvaluationPeriods: 2, Threshold: 85, ComparisonOperator: 'GreaterThanThreshold',
    });
    onAlarmsTopic(alarm);
  });

  it('CriticalIssue: the composite of HighLatency AND HighErrorRate', () => {
    const alarm = props('CriticalIssueAlarm');
    expect(resource(template, 'CriticalIssueAlarm').Type).toBe('AWS::CloudWatch::CompositeAlarm');
    expect(alarm.AlarmName).toBe('RetailPrediction-CriticalIssue');
    expect(alarm.AlarmRule).toEqual({ 'Fn::Sub': 'ALARM("${HighLatencyAlarm}") AND ALARM("${HighErrorRateAlarm}")' });
    onAlarmsTopic(alarm);
  });

  it('derives the API metrics from its log lines', () => {
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    const byMetric = new Map(
      filters.map((f) => [(f.MetricTransformations as JsonObject[])[0]!.MetricName, f] as const),
    );
    expect([...byMetric.keys()].sort()).toEqual(['APIErrorCount', 'APIRequestCount', 'InferenceLatency']);
    for (const f of filters) expect(f.LogGroupName).toBe(API_LOG_GROUP);
    expect(byMetric.get('APIRequestCount')?.FilterPattern).toBe('"API Request"');
    expect(byMetric.get('APIErrorCount')?.FilterPattern).toBe('"API Error"');
    const latency = byMetric.get('InferenceLatency')!;
    expect(latency.ApplyOnTransformedLogs).toBe(true);
    expect((latency.MetricTransformations as JsonObject[])[0]).toMatchObject({ MetricValue: '$.inference_latency_ms' });
    expect(JSON.stringify(props('ApiLogTransformer').TransformerConfig)).toContain('%{NUMBER:inference_latency_ms}');
  });
});

describe('nothing is lost', () => {
  it('gives every asynchronously invoked function an on-failure destination on the dead-letter queue', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    expect(configs.map((c) => referencedId(c.FunctionName)).sort()).toEqual(FUNCTION_NAMES.map(functionLogicalId).sort());
    for (const c of configs) {
      const onFailure = (c.DestinationConfig as { OnFailure: { Destination: Json } }).OnFailure;
      expect(referencedId(onFailure.Destination)).toBe('DeadLetterQueue');
      expect(resource(template, 'DeadLetterQueue').Type).toBe('AWS::SQS::Queue');
    }
    for (const name of FUNCTION_NAMES) {
      expect(grants(roleIdOf(name)!, 'sqs:SendMessage').map((s) => referencedId(s.Resource))).toEqual(['DeadLetterQueue']);
    }
  });

  it('watches itself: dead-letter depth and each function’s errors alarm through the email topic, not through a function', () => {
    const depth = props('DeadLetterQueueDepthAlarm');
    expect(depth).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
    const errorAlarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    const watched = errorAlarms.map((a) => referencedId((a.Dimensions as JsonObject[])[0]!.Value));
    expect(watched.sort()).toEqual(FUNCTION_NAMES.map(functionLogicalId).sort());
    for (const alarm of [depth, ...errorAlarms]) {
      expect(asList(alarm.AlarmActions as Json[]).map(referencedId)).toEqual(['EmailTopic']);
    }
    // The email topic reaches people directly: no function is subscribed to it.
    const emailSubscribers = resourcesOfType(template, 'AWS::SNS::Subscription').filter(
      ([, s]) => referencedId(s.Properties.TopicArn) === 'EmailTopic',
    );
    expect(emailSubscribers).toEqual([]);
  });

  it('keeps state in an on-demand table with TTL on expiresAt and point-in-time recovery, retained in prod', () => {
    const table = resource(template, 'StateTable');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('log forwarding', () => {
  it('posts NDJSON to the LOG_SINK_URL it is given (DESIGN.md), not OpenSearch _bulk to <url>/_bulk', () => {
    const environment = (props(functionLogicalId('forwardLogs')).Environment as JsonObject).Variables as JsonObject;
    expect(environment.LOG_SINK_URL).toMatch(/^https:\/\/logs\.[\w.-]+\/ingest$/);
    expect(policyForStage('prod').logs?.sink.mode).toBe('ndjson');
  });

  it('subscribes forwardLogs to the configured log groups, never to its own', () => {
    const filters = resourcesOfType(template, 'AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties);
    expect(filters.map((f) => f.LogGroupName).sort()).toEqual([TRAINING_LOG_GROUP, API_LOG_GROUP].sort());
    const ownLogGroups = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName);
    expect(ownLogGroups).toContain('/aws/lambda/firebreak-prod-forwardLogs');
    for (const f of filters) {
      expect(referencedId(f.DestinationArn)).toBe(functionLogicalId('forwardLogs'));
      // Every event of the group, as the subscriptions always did: the logs policy filters, not CloudWatch.
      expect(f.FilterPattern).toBe('');
      expect(ownLogGroups).not.toContain(f.LogGroupName);
    }
  });

  it('names in every stage\'s logs policy only log groups a subscription delivers, and never forwardLogs\' own', () => {
    // apiLogGroup and trainingLogGroup are default params, the same in every stage: prod's subscriptions are every stage's.
    const subscribed = resourcesOfType(template, 'AWS::Logs::SubscriptionFilter').map(([, f]) => String(f.Properties.LogGroupName));
    for (const stage of stageNames()) {
      const groups = policyForStage(stage).logs?.groups ?? [];
      expect({ stage, groups: groups.length }).toEqual({ stage, groups: subscribed.length });
      for (const { match } of groups) {
        expect({ stage, match, delivered: subscribed.some((logGroup) => matchesLogGroup(match, logGroup)) }).toEqual({ stage, match, delivered: true });
      }
      expect(groupsCoveringOwnLogGroup(policyForStage(stage).logs ?? defaultLogsPolicy(), `firebreak-${stage}-forwardLogs`)).toEqual([]);
    }
  });

  it('lets each log group invoke forwardLogs through its own permission, scoped to exactly that log group, before it is subscribed', () => {
    const subscriptions = [
      { filter: 'ForwardLogsApiLogsSubscriptionFilter', permission: 'ForwardLogsApiLogsInvokePermission', logGroup: API_LOG_GROUP },
      { filter: 'ForwardLogsTrainingLogsSubscriptionFilter', permission: 'ForwardLogsTrainingLogsInvokePermission', logGroup: TRAINING_LOG_GROUP },
    ];
    for (const { filter, permission, logGroup } of subscriptions) {
      expect(props(filter).LogGroupName).toBe(logGroup);
      expect(asList(resource(template, filter).DependsOn ?? [])).toEqual([permission]);
      expect(props(permission)).toEqual({
        FunctionName: { 'Fn::GetAtt': [functionLogicalId('forwardLogs'), 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' },
        SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:*` },
      });
    }
    // No other permission lets CloudWatch Logs invoke anything: no prefix such as log-group:/aws/*.
    const logsPermissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.Principal).includes('logs.'));
    expect(logsPermissions.map(([id]) => id).sort()).toEqual(subscriptions.map((s) => s.permission).sort());
    for (const [, p] of logsPermissions) expect(JSON.stringify(p.Properties.SourceArn)).not.toContain('*:*');
  });
});

// That every widget plots a produced metric is proved with every other reader in metric-seams.test.ts.
describe('dashboard', () => {
  type Widget = { properties: { title: string; metrics: Json[][]; annotations?: { horizontal: { value: number }[] } } };
  const widgets = (): Widget[] => {
    const source = (props('KpiDashboard').DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
    return (JSON.parse(source.replaceAll('${AWS::Region}', 'eu-west-1')) as { widgets: Widget[] }).widgets;
  };
  const byTitle = () => new Map(widgets().map((w) => [w.properties.title, w.properties]));

  it('shows the Retail-Prediction-KPI widgets with the SLA, alarm and scale-up lines', () => {
    expect(props('KpiDashboard').DashboardName).toBe('Retail-Prediction-KPI');
    const widget = byTitle();
    const metricNames = (title: string) => widget.get(title)?.metrics.map((m) => m[1]);

    const latency = widget.get('Inference latency (ms)');
    expect(latency?.metrics.map((m) => (m.at(-1) as JsonObject).stat)).toEqual(['p50', 'p95']);
    expect(latency?.annotations?.horizontal[0]?.value).toBe(200);
    expect(widget.get('Error rate (%)')?.annotations?.horizontal[0]?.value).toBe(5);
    expect(metricNames('Node CPU (%)')).toEqual(['node_cpu_utilization']);
    expect(widget.get('Node CPU (%)')?.annotations?.horizontal[0]?.value).toBe(85);
    expect(metricNames('Node memory (%)')).toEqual(['node_memory_utilization']);
    expect(metricNames('Requests and errors')).toEqual(['APIRequestCount', 'APIErrorCount']);
    expect(metricNames('Training loss and accuracy')).toEqual(['TrainingLoss', 'TrainingAccuracy', 'ValidationAccuracy']);
  });

  it('plots the error rate with the HighErrorRate alarm\'s own metric math', () => {
    const [expression, ...inputs] = byTitle().get('Error rate (%)')!.metrics;
    const alarm = props('HighErrorRateAlarm').Metrics as { Id: string; Expression?: string; Label?: string; MetricStat?: { Metric: JsonObject; Stat: string } }[];
    const alarmExpression = alarm.find((q) => q.Expression)!;
    expect(expression).toEqual([{ id: alarmExpression.Id, expression: alarmExpression.Expression, label: alarmExpression.Label }]);
    // The inputs only feed the expression: same ids, metrics and statistic as the alarm's, not drawn themselves.
    expect(inputs).toEqual(
      alarm
        .filter((q) => q.MetricStat)
        .map((q) => [q.MetricStat!.Metric.Namespace, q.MetricStat!.Metric.MetricName, { id: q.Id, stat: q.MetricStat!.Stat, visible: false }]),
    );
  });
});
