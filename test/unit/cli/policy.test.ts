// Unit tests: `firebreak policy` — the report of each event under a stage's policy (what holds it quiet, which group it joins), and the command line around it.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMessage } from '../../../shared/alarm/model';
import { EXIT, type CliIo } from '../../../shared/cli/command';
import { describeMessage, describeSubscriptions, policyCommand, policyCommandWith, readEventFile, type EventFile, type PolicyPorts, type ReportMoment } from '../../../shared/cli/policy';
import { policyForStage, stageDocument } from '../../../shared/policy/load';
import { parsePolicy } from '../../../shared/policy/parse-policy';
import type { Policy } from '../../../shared/policy/schema';
import { UnreadableInputError } from '../../../shared/read-failure';
import type { Silence } from '../../../shared/silence/model';
import { InMemorySilenceStore } from '../../../shared/silence/store';

const file = (name: string) => join(__dirname, '../../../events', `${name}.json`);
const firstMessage = (event: EventFile): ParsedMessage => {
  if (event.kind === 'refused') throw new Error(`refused: ${event.reason}`);
  return event.kind === 'sns' ? event.messages[0]! : event.message;
};
const messageOf = async (name: string, text: string) => firstMessage(await readEventFile(name, text));
/** The moment the reports are for: Sunday 2026-12-06, 02:00 UTC. */
const AT = new Date('2026-12-06T02:00:00Z');
const NOW: ReportMoment = { at: AT };
const report = async (name: string, stage = 'dev') => describeMessage(await messageOf(name, readFileSync(file(name), 'utf8')), policyForStage(stage), stage, NOW).join('\n');
/** The CloudWatch message of an events/ file, with fields replaced (a new object each call). */
const alarmJson = (name: string, fields: Record<string, unknown> = {}) => ({ ...JSON.parse(JSON.parse(readFileSync(file(name), 'utf8')).Records[0].Sns.Message), ...fields });
const alarmOf = (name: string, fields: Record<string, unknown> = {}) => messageOf(`${name}.json`, JSON.stringify(alarmJson(name, fields)));

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
        'quiet:     no maintenance window holds it at 2026-12-06T02:00:00Z',
        '           stored silences were not read (add --silences to read them, needs AWS credentials)',
        'group:     not grouped: no channel is on a grouped route',
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
    expect(describeMessage(insufficient, policyForStage('dev'), 'dev', NOW).join('\n')).toMatch(/withheld: {2}pagerduty: INSUFFICIENT_DATA pages nobody/);
  });

  it('reads a bare CloudWatch message as well as an SNS event, and explains a generic one', async () => {
    const bare = JSON.parse(readFileSync(file('alarm-high-cpu-alarm'), 'utf8')).Records[0].Sns.Message as string;
    expect(describeMessage(await messageOf('bare.json', bare), policyForStage('dev'), 'dev', NOW)[0]).toContain('RetailPrediction-HighCPU');
    expect(await report('sns-plain-text')).toContain('not an alarm: not JSON');
    expect(await report('sns-plain-text')).toContain('quiet:     not an alarm: silences and maintenance windows hold alarms only, so every channel goes');
  });
});

describe('npm run policy: what holds an alarm quiet', () => {
  /** The dev policy with a maintenance window on Sundays from 01:00 London time, for two hours, as a policy file writes it. */
  const devWithWindow = (window: Record<string, unknown> = {}): Policy => {
    const document = structuredClone(stageDocument('dev')) as { notify: Record<string, unknown> };
    document.notify.windows = [
      { name: 'sunday-patching', schedule: '0 1 * * SUN', timeZone: 'Europe/London', duration: '2h', alarms: 'RetailPrediction-*', reason: 'patching the nodes', pauseRemediation: true, ...window },
    ];
    return parsePolicy(document, 'test policy');
  };
  const silence = (overrides: Partial<Silence> = {}): Silence => ({
    id: 'sil-0000000001',
    alarms: ['RetailPrediction-*'],
    startsAt: '2026-12-06T01:30:00.000Z',
    endsAt: '2026-12-06T05:00:00.000Z',
    reason: 'migrating the feature store',
    createdBy: 'alice@example.com',
    createdAt: '2026-12-06T01:29:00.000Z',
    pauseRemediation: false,
    ...overrides,
  });

  it('names the window that holds an alarm inside an occurrence, withholds every channel and pauses remediation', async () => {
    // Prepare
    const message = await alarmOf('alarm-high-cpu-alarm');
    // Act
    const lines = describeMessage(message, devWithWindow(), 'dev', NOW);
    // Assess
    expect(lines.slice(lines.findIndex((l) => l.startsWith('quiet:')))).toEqual([
      'quiet:     held at 2026-12-06T02:00:00Z by maintenance window sunday-patching (patching the nodes), occurrence 2026-12-06T01:00:00Z to 2026-12-06T03:00:00Z (schedule "0 1 * * SUN" in Europe/London, 2h), remediation paused',
      '           withheld:   slack',
      '           still goes: nothing',
      '           remediation paused: every action for this alarm is refused while maintenance window sunday-patching holds (until 2026-12-06T03:00:00Z)',
      '           stored silences were not read (add --silences to read them, needs AWS credentials)',
      'group:     not grouped: no channel is on a grouped route',
    ]);
  });

  it('says no window holds it outside the occurrence, or for an alarm the window does not cover', async () => {
    const message = await alarmOf('alarm-high-cpu-alarm');
    const after = describeMessage(message, devWithWindow(), 'dev', { at: new Date('2026-12-06T03:00:00Z') });
    expect(after).toContain('quiet:     no maintenance window holds it at 2026-12-06T03:00:00Z');
    const before = describeMessage(message, devWithWindow(), 'dev', { at: new Date('2026-12-06T00:59:59Z') });
    expect(before).toContain('quiet:     no maintenance window holds it at 2026-12-06T00:59:59Z');
    const other = describeMessage(message, devWithWindow({ alarms: 'Checkout-*' }), 'dev', NOW);
    expect(other).toContain('quiet:     no maintenance window holds it at 2026-12-06T02:00:00Z');
  });

  it('names a stored silence, the longest-lasting hold first, and the others after it', async () => {
    const message = await alarmOf('alarm-high-error-rate-alarm');
    const lines = describeMessage(message, devWithWindow({ pauseRemediation: false }), 'dev', { at: AT, silences: [silence()] });
    expect(lines).toContain('quiet:     held at 2026-12-06T02:00:00Z by silence sil-0000000001 (migrating the feature store, by alice@example.com), 2026-12-06T01:30:00Z to 2026-12-06T05:00:00Z, remediation not paused');
    expect(lines).toContain('           also held by maintenance window sunday-patching (patching the nodes), occurrence 2026-12-06T01:00:00Z to 2026-12-06T03:00:00Z (schedule "0 1 * * SUN" in Europe/London, 2h), remediation not paused');
    expect(lines).toContain('           withheld:   pagerduty (trigger), slack, email');
    expect(lines.join('\n')).not.toMatch(/remediation paused:|stored silences were not read/);
  });

  it('says that no stored silence holds it either, once they were read', async () => {
    const message = await alarmOf('alarm-high-error-rate-alarm');
    const lines = describeMessage(message, policyForStage('dev'), 'dev', { at: AT, silences: [silence({ alarms: ['Checkout-*'] })] });
    expect(lines).toContain('quiet:     no maintenance window or stored silence holds it at 2026-12-06T02:00:00Z');
  });

  it('lets a PagerDuty resolve through a silence only if the page it resolves went out before it', async () => {
    const message = await alarmOf('alarm-high-error-rate-ok');
    const lines = describeMessage(message, policyForStage('dev'), 'dev', { at: AT, silences: [silence()] });
    expect(lines).toContain('           withheld:   slack, email');
    expect(lines).toContain('           still goes: pagerduty (resolve): would be sent only if the page it resolves went out before the silence (notify knows from the open pages in STATE_TABLE)');
  });
});

describe('npm run policy: storm control', () => {
  const MODEL_ALARM = 'RetailPrediction-Model-01-HighLatency';

  it('names the group a grouped route joins, by which keys, and when its first batch is due', async () => {
    // Prepare
    const message = await alarmOf('alarm-model-latency-alarm', { AlarmName: MODEL_ALARM });
    // Act
    const lines = describeMessage(message, policyForStage('prod'), 'prod', NOW);
    // Assess
    expect(lines).toContain('routes:    model-endpoints');
    expect(lines.slice(lines.findIndex((l) => l.startsWith('group:')))).toEqual([
      'group:     pagerduty (trigger), slack on route model-endpoints would join group model-endpoints/service=RetailPrediction, by service=RetailPrediction (its alarm prefix: its metrics have no Service dimension)',
      '           as a new group, its first batch is due at 2026-12-06T02:00:30Z (wait 30s after the first member); later changes go in one batch at most every 5m (interval)',
    ]);
  });

  it('groups by the Service dimension when the metric has one', async () => {
    const json = alarmJson('alarm-model-latency-alarm', { AlarmName: MODEL_ALARM });
    json.Trigger = { ...json.Trigger, Dimensions: [{ name: 'Service', value: 'forecast-models' }] };
    const lines = describeMessage(await messageOf('x.json', JSON.stringify(json)), policyForStage('prod'), 'prod', NOW);
    expect(lines.join('\n')).toContain('would join group model-endpoints/service=forecast-models, by service=forecast-models\n');
  });

  it('under a silence, withholds an alarm from its group but lets an OK join a group it is in', async () => {
    const hold: Silence = {
      id: 'sil-0000000002',
      alarms: ['RetailPrediction-Model-*'],
      startsAt: '2026-12-06T01:00:00.000Z',
      endsAt: '2026-12-06T04:00:00.000Z',
      reason: 'retraining the models',
      createdBy: 'bob@example.com',
      createdAt: '2026-12-06T00:59:00.000Z',
      pauseRemediation: false,
    };
    const alarm = describeMessage(await alarmOf('alarm-model-latency-alarm', { AlarmName: MODEL_ALARM }), policyForStage('prod'), 'prod', { at: AT, silences: [hold] });
    expect(alarm).toContain('           withheld:   pagerduty (trigger), slack');
    expect(alarm).toContain('           while held, they join no group: the hold withholds them');
    const ok = describeMessage(await alarmOf('alarm-model-latency-alarm', { AlarmName: MODEL_ALARM, NewStateValue: 'OK', OldStateValue: 'ALARM' }), policyForStage('prod'), 'prod', { at: AT, silences: [hold] });
    expect(ok).toContain('           withheld:   nothing for certain');
    expect(ok).toContain(
      `           still goes: slack: joins group model-endpoints/service=RetailPrediction only if ${MODEL_ALARM} is already in it (an OK of a member still joins its group), else withheld`,
    );
    expect(ok).toContain(`           while held, they join only if ${MODEL_ALARM} is already in the group`);
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
  /** Ports with the clock at AT and no silences, unless given; the stage's region as serverless.yml gives it. */
  const ports = (given: Partial<PolicyPorts> = {}): PolicyPorts => ({ silenceStore: () => new InMemorySilenceStore(), now: () => AT, ...given });
  const runWith = async (argv: string[], given: Partial<PolicyPorts>, env: CliIo['env'] = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await policyCommandWith(ports(given)).run(argv, { print: (l) => out.push(l), error: (l) => err.push(l), env });
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
      expect(out).toContain('--at T         the moment to explain, an ISO time with its zone');
      expect(out).toContain('--silences     also read the stage');
      expect(out).toContain('firebreak policy --stage prod --at 2026-12-06T02:00:00Z --silences events/alarm-model-latency-alarm.json');
    }
  });

  it.each([['2026-12-06T02:00:00'], ['2026-12-06 02:00Z'], ['tomorrow']])('refuses --at %s, a time without its zone or no time, exit 2 naming --at', async (at) => {
    const { code, out, err } = await run(['--at', at, file('alarm-high-cpu-alarm')]);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`policy: --at ${at} is not an ISO time with its zone: write it as 2026-12-06T02:00:00Z`);
    expect(out).toBe('');
  });

  it('explains each message at --at, an offset read as the moment it names, else now', async () => {
    const at = await run(['--stage', 'prod', '--at', '2026-12-06T03:00:00+01:00', file('alarm-model-latency-alarm')]);
    expect(at.code).toBe(EXIT.done);
    expect(at.out).toContain('at 2026-12-06T02:00:00Z (--at); stored silences not read (--silences reads them)');
    expect(at.out).toContain('  quiet:     no maintenance window holds it at 2026-12-06T02:00:00Z');
    expect(at.out).toContain('its first batch is due at 2026-12-06T02:00:30Z');
    const now = await runWith([file('alarm-high-cpu-alarm')], { now: () => new Date('2026-12-24T18:00:00.250Z') });
    expect(now.code).toBe(EXIT.done);
    expect(now.out).toContain('at 2026-12-24T18:00:00.250Z (now); stored silences not read');
  });

  describe('--silences', () => {
    const stored: Silence = {
      id: 'sil-00000000aa',
      alarms: ['RetailPrediction-HighCPU'],
      startsAt: '2026-12-06T01:00:00.000Z',
      endsAt: '2026-12-06T06:00:00.000Z',
      reason: 'resizing the node group',
      createdBy: 'carol@example.com',
      createdAt: '2026-12-06T00:58:00.000Z',
      pauseRemediation: true,
    };

    it("reads the stage's silences from its STATE_TABLE in its region and names the one that holds the alarm", async () => {
      // Prepare
      const opened: string[] = [];
      const store = new InMemorySilenceStore([stored]);
      // Act
      const { code, out } = await runWith(['--stage', 'dev', '--at', '2026-12-06T02:00:00Z', '--silences', file('alarm-high-cpu-alarm')], {
        silenceStore: (table, region) => {
          opened.push(`${table} ${region}`);
          return store;
        },
      });
      // Assess
      expect(code).toBe(EXIT.done);
      expect(opened).toEqual(['firebreak-dev-state eu-west-1']);
      expect(out).toContain('at 2026-12-06T02:00:00Z (--at); 1 stored silence read from STATE_TABLE firebreak-dev-state (eu-west-1)');
      expect(out).toContain('  quiet:     held at 2026-12-06T02:00:00Z by silence sil-00000000aa (resizing the node group, by carol@example.com), 2026-12-06T01:00:00Z to 2026-12-06T06:00:00Z, remediation paused');
      expect(out).toContain('             withheld:   slack');
      expect(out).toContain('             remediation paused: every action for this alarm is refused while silence sil-00000000aa holds (until 2026-12-06T06:00:00Z)');
      expect(out).not.toContain('stored silences were not read');
    });

    it('reads the table STATE_TABLE names, in stage local too', async () => {
      const opened: string[] = [];
      const silenceStore = (table: string, region: string) => {
        opened.push(`${table} ${region}`);
        return new InMemorySilenceStore();
      };
      expect((await runWith(['--stage', 'prod', '--silences', file('alarm-high-cpu-alarm')], { silenceStore }, { STATE_TABLE: 'my-state' })).code).toBe(EXIT.done);
      expect((await runWith(['--silences', file('alarm-high-cpu-alarm')], { silenceStore }, { STATE_TABLE: 'local-state' })).code).toBe(EXIT.done);
      expect(opened).toEqual(['my-state eu-west-1', 'local-state us-east-1']);
    });

    it('refuses stage local with no STATE_TABLE, exit 2, reading nothing', async () => {
      const silenceStore = jest.fn(() => new InMemorySilenceStore());
      const { code, err } = await runWith(['--silences', file('alarm-high-cpu-alarm')], { silenceStore });
      expect(code).toBe(EXIT.usage);
      expect(err).toContain('policy: stage local has no table offline to read silences from: set STATE_TABLE');
      expect(silenceStore).not.toHaveBeenCalled();
    });

    it("exits 1 with the store's message when the silences cannot be read, and explains nothing", async () => {
      const failing = { list: async () => Promise.reject(new UnreadableInputError('the silences in STATE_TABLE firebreak-prod-state', new Error('User is not authorized to perform: dynamodb:Query'))) };
      const { code, out, err } = await runWith(['--stage', 'prod', '--silences', file('alarm-high-cpu-alarm')], { silenceStore: () => failing });
      expect(code).toBe(EXIT.failed);
      expect(err).toBe('could not read the silences in STATE_TABLE firebreak-prod-state: User is not authorized to perform: dynamodb:Query (region eu-west-1)');
      expect(out).not.toContain('alarm:');
    });

    it('says how to give credentials when there were none', async () => {
      const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      const failing = { list: async () => Promise.reject(new UnreadableInputError('the silences in STATE_TABLE firebreak-prod-state', noCredentials)) };
      const { code, err } = await runWith(['--stage', 'prod', '--silences', file('alarm-high-cpu-alarm')], { silenceStore: () => failing });
      expect(code).toBe(EXIT.failed);
      expect(err).toContain('could not read the silences in STATE_TABLE firebreak-prod-state: no AWS credentials (region eu-west-1). Give credentials (AWS_PROFILE');
    });
  });

  it.each([
    [['--stag', 'prod'], 'unknown option --stag: firebreak policy takes --stage <value>, --at <value>, --silences, --help (firebreak policy --help)'],
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
