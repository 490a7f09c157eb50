// Unit tests: `firebreak policy` — the report of each event under a stage's policy, and the command line around it.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMessage } from '../../../shared/alarm/model';
import { EXIT, type CliIo } from '../../../shared/cli/command';
import { describeMessage, describeSubscriptions, policyCommand, readEventFile, type EventFile } from '../../../shared/cli/policy';
import { policyForStage, stageDocument } from '../../../shared/policy/load';
import { parsePolicy } from '../../../shared/policy/parse-policy';

const file = (name: string) => join(__dirname, '../../../events', `${name}.json`);
const firstMessage = (event: EventFile): ParsedMessage => {
  if (event.kind === 'refused') throw new Error(`refused: ${event.reason}`);
  return event.kind === 'sns' ? event.messages[0]! : event.message;
};
const messageOf = async (name: string, text: string) => firstMessage(await readEventFile(name, text));
const report = async (name: string, stage = 'dev') => describeMessage(await messageOf(name, readFileSync(file(name), 'utf8')), policyForStage(stage), stage).join('\n');

describe('npm run policy', () => {
  it('shows severity, route and channels of a critical alarm', async () => {
    expect(await report('alarm-high-error-rate-alarm')).toBe(
      [
        'alarm:     RetailPrediction-HighErrorRate (metric-math alarm, OK -> ALARM, eu-west-1)',
        'severity:  critical (policy rule)',
        'routes:    critical',
        'channels:  pagerduty (trigger), slack, email',
        'action:    respond for service retail-prediction: diagnose, then scale, open breaker retail-prediction-api or page',
        '           every action passes the safety guards first (kill switch, allow-list, bounds, cooldown, budgets)',
      ].join('\n'),
    );
  });

  it('shows the remediation actions of each state, and none where the policy has none', async () => {
    expect(await report('alarm-high-cpu-alarm')).toContain('action:    scaleNodegroup retail-prediction-nodegroup +1\naction:    scaleDeployment retail-forecast-api to 6 replicas');
    expect(await report('alarm-high-cpu-ok')).toContain('action:    scaleDeployment retail-forecast-api to 3 replicas');
    expect(await report('alarm-high-error-rate-ok')).toContain('close the incident');
    expect(await report('alarm-high-latency-alarm')).toContain('actions:   (none)');
  });

  it('shows a resolve for OK and what is withheld for INSUFFICIENT_DATA', async () => {
    expect(await report('alarm-critical-issue-ok')).toContain('channels:  pagerduty (resolve)');
    const insufficient = await messageOf('x', JSON.stringify({ ...JSON.parse(JSON.parse(readFileSync(file('alarm-insufficient-data'), 'utf8')).Records[0].Sns.Message), AlarmName: 'RetailPrediction-HighErrorRate' }));
    expect(describeMessage(insufficient, policyForStage('dev'), 'dev').join('\n')).toMatch(/withheld: {2}pagerduty: INSUFFICIENT_DATA pages nobody/);
  });

  it('reads a bare CloudWatch message as well as an SNS event, and explains a generic one', async () => {
    const bare = JSON.parse(readFileSync(file('alarm-high-cpu-alarm'), 'utf8')).Records[0].Sns.Message as string;
    expect(describeMessage(await messageOf('bare.json', bare), policyForStage('dev'), 'dev')[0]).toContain('RetailPrediction-HighCPU');
    expect(await report('sns-plain-text')).toContain('not an alarm: not JSON');
  });
});

describe('npm run policy: subscriptions', () => {
  /** The prod policy with the responder's alarms replaced and its remediation section kept or left out. */
  const prodWith = (responderAlarms: string[], remediation = true) => {
    const document = structuredClone(stageDocument('prod')) as { remediation?: unknown; responder: { services: Record<string, { alarms: string[] }> } };
    document.responder.services['retail-prediction']!.alarms = responderAlarms;
    if (!remediation) delete document.remediation;
    return parsePolicy(document, 'test policy');
  };

  it('says which alarms, in which states, reach each function on the alarms topic', () => {
    expect(describeSubscriptions(policyForStage('prod'), 'prod')).toEqual([
      'subscriptions to the alarms topic (stage prod):',
      '  notify           every message',
      '  scaleNodegroup   RetailPrediction-HighCPU in ALARM',
      '  scaleDeployment  RetailPrediction-HighCPU in ALARM, OK',
      '  respond          RetailPrediction-HighErrorRate in any state',
    ]);
  });

  it('says when a function receives every alarm or is not subscribed, and why', () => {
    const lines = describeSubscriptions(prodWith(['Retail*Latency'], false), 'prod');
    expect(lines).toContain('  scaleNodegroup   not subscribed: the policy has no remediation section');
    expect(lines).toContain('  respond          every alarm: alarm pattern Retail*Latency has a * that is not at its end; SNS selects exact names and prefixes only');
    expect(describeSubscriptions(prodWith(['RetailPrediction-*']), 'prod')).toContain('  respond          RetailPrediction-* (every name starting RetailPrediction-) in any state');
  });
});

describe('firebreak policy', () => {
  const STAGES = join(__dirname, '../../../shared/policy/stages');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-policy-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (argv: string[], env: CliIo['env'] = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await policyCommand.run(argv, { print: (l) => out.push(l), error: (l) => err.push(l), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const tempFile = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('prints its help and exits 0 for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await run([flag]);
      expect(code).toBe(EXIT.done);
      expect(out).toContain('Usage: npm run policy -- [--stage S]');
      expect(out).toContain('or: firebreak policy');
    }
  });

  it.each([
    [['--stag', 'prod'], 'unknown option --stag: firebreak policy takes --stage <value>, --help (firebreak policy --help)'],
    [['--stage'], '--stage needs a value'],
    [['--stage', 'qa'], 'unknown stage "qa": give --stage dev|local|prod, or add shared/policy/stages/qa.json to make it one'],
    [['--stage', 'Prod'], 'unknown stage "Prod": give --stage dev|local|prod (a stage name is lower-case letters, digits and dashes)'],
  ])('exits 2 for %j, naming the fix', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
    expect(out).toBe('');
  });

  it('takes the stage from STAGE when --stage is not given, else local', async () => {
    expect((await run([], { STAGE: 'prod' })).out).toContain('subscriptions to the alarms topic (stage prod):');
    expect((await run([])).out).toContain('subscriptions to the alarms topic (stage local):');
  });

  it('finds a stage by its policy file, with no code change', async () => {
    const stage = `test-cli-${process.pid}`;
    const stageFile = join(STAGES, `${stage}.json`);
    copyFileSync(join(STAGES, 'local.json'), stageFile);
    try {
      const { code, out } = await run(['--stage', stage, file('alarm-high-cpu-alarm')]);
      expect(code).toBe(EXIT.done);
      expect(out).toContain(`subscriptions to the alarms topic (stage ${stage}):`);
      expect(out).toContain('action:    scaleNodegroup retail-prediction-nodegroup +1');
    } finally {
      rmSync(stageFile, { force: true });
    }
  });

  it("names the line and column of a stage file that is not JSON, exit 1", async () => {
    const stage = `test-cli-bad-${process.pid}`;
    const stageFile = join(STAGES, `${stage}.json`);
    writeFileSync(stageFile, '{\n  "version": 1\n  "notify": {}\n}\n');
    try {
      const { code, err } = await run(['--stage', stage]);
      expect(code).toBe(EXIT.failed);
      expect(err).toBe(`Invalid policy for stage ${stage}: shared/policy/stages/${stage}.json: not valid JSON at line 3, column 3: Expected ',' or '}' after property value`);
    } finally {
      rmSync(stageFile, { force: true });
    }
  });

  it('refuses a file that is not JSON as notify would, exit 1', async () => {
    const path = tempFile('plain.txt', 'RetailPrediction-HighCPU is firing\n');
    const { code, err } = await run([path]);
    expect(code).toBe(EXIT.failed);
    expect(err).toContain(`${path}: refused: ${path}: not valid JSON at line 1, column 1: Unexpected token 'R'. notify takes an SNS event`);
    expect(err).toContain('a text message is tested as the Message of one, as in events/sns-plain-text.json');
  });

  it('refuses a CloudWatch Logs event with notify\'s own reason, and says which function takes it, exit 1', async () => {
    const { code, out, err } = await run([file('logs-api')]);
    expect(code).toBe(EXIT.failed);
    expect(err).toContain('refused: notify would refuse it: Expected an SNS event with Records; got no Records.');
    expect(err).toContain('This is a CloudWatch Logs event, for forwardLogs');
    expect(out).not.toContain('generic:');
  });

  it('refuses JSON that is neither an SNS event nor an alarm message, and a record that is not SNS', async () => {
    const foreign = await run([tempFile('foreign.json', '{"hello": "world"}')]);
    expect(foreign.code).toBe(EXIT.failed);
    expect(foreign.err).toContain('notify would refuse it: Expected an SNS event with Records; got no Records');
    const sqs = await run([tempFile('sqs.json', JSON.stringify({ Records: [{ EventSource: 'aws:sqs', body: '{}' }] }))]);
    expect(sqs.code).toBe(EXIT.failed);
    expect(sqs.err).toContain('notify would refuse it: Record 0 is not an SNS notification (EventSource aws:sqs)');
  });

  it('reads a bare alarm message, saying plainly it is not an SNS event, exit 0', async () => {
    const bare = JSON.parse(readFileSync(file('alarm-high-cpu-alarm'), 'utf8')).Records[0].Sns.Message as string;
    const path = tempFile('bare.json', bare);
    const { code, out } = await run(['--stage', 'dev', path]);
    expect(code).toBe(EXIT.done);
    expect(out).toContain(`${path} (stage dev, a bare alarm message)`);
    expect(out).toContain('note:      not an SNS event, so notify would refuse this file (Expected an SNS event with Records; got no Records); read as the Message of one SNS record');
    expect(out).toContain('alarm:     RetailPrediction-HighCPU');
  });

  it('reports every file it can, and exits 1 when one is refused or missing', async () => {
    const { code, out, err } = await run([file('alarm-high-error-rate-alarm'), file('logs-api'), join(dir, 'missing.json')]);
    expect(code).toBe(EXIT.failed);
    expect(out).toContain('alarm:     RetailPrediction-HighErrorRate');
    expect(err).toContain(`${file('logs-api')}: refused:`);
    expect(err).toContain(`${join(dir, 'missing.json')}: cannot read: ENOENT`);
  });
});
