// Unit tests: `firebreak silence` — add's refusals and what it stores, list's held-back counts, expire, and dry runs, over InMemorySilenceStore and a fixed clock.
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { load } from 'js-yaml';
import { EXIT, type CliIo } from '../../../shared/cli/command';
import { runFirebreak } from '../../../shared/cli/main';
import { silenceCommand } from '../../../shared/cli/silence';
import { SERVERLESS_YML } from '../../../shared/cli/stage-region';
import { runSilenceCli, SILENCE_USAGE } from '../../../shared/silence/cli';
import type { Silence } from '../../../shared/silence/model';
import { DynamoDbSilenceStore, InMemorySilenceStore, type HeldNotification, type SilenceStore } from '../../../shared/silence/store';

const now = new Date('2026-12-05T22:00:00.000Z');
const HOUR = 3_600_000;
const later = (ms: number) => new Date(now.getTime() + ms).toISOString();

/** A silence as stored, active at `now` unless the overrides say otherwise; a new object each call. */
const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 'sil-active0001',
  alarms: ['FeatureStore-*'],
  startsAt: later(-HOUR),
  endsAt: later(HOUR),
  reason: 'migrating the feature store',
  createdBy: 'alice@example.com',
  createdAt: later(-HOUR),
  pauseRemediation: false,
  ...overrides,
});

const held = (overrides: Partial<HeldNotification> = {}): HeldNotification => ({
  holdId: 'sil-active0001',
  at: later(-30 * 60_000),
  messageId: 'm-1',
  alarm: 'FeatureStore-HighLatency',
  state: 'ALARM',
  severity: 'warning',
  channel: 'slack',
  routes: ['feature-store'],
  ...overrides,
});

async function run(argv: string[], options: { store?: SilenceStore; env?: CliIo['env'] } = {}) {
  const store = options.store ?? new InMemorySilenceStore();
  const out: string[] = [];
  const err: string[] = [];
  const opened: { table: string; region: string }[] = [];
  const code = await runSilenceCli(argv, {
    io: { print: (l) => out.push(l), error: (l) => err.push(l), env: options.env ?? {} },
    store: (table, region) => {
      opened.push({ table, region });
      return store;
    },
    now: () => now,
    operator: 'bob',
    newId: () => 'sil-new0000001',
  });
  return { code, out: out.join('\n'), err: err.join('\n'), opened };
}

/** add's flags that are all required, on a deployed stage so it writes. */
const ADD = ['add', '--stage', 'prod', '--alarm', 'FeatureStore-*', '--for', '2h', '--reason', 'migrating the feature store', '--by', 'alice@example.com'];
const without = (flag: string, argv = ADD) => {
  const i = argv.indexOf(flag);
  return [...argv.slice(0, i), ...argv.slice(i + 2)];
};

/** A real DynamoDB client whose credential chain found nothing: it never sends a request. */
const noCredentials = (region: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      maxAttempts: 1,
      credentials: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    }),
  );

describe('firebreak silence', () => {
  describe('its help', () => {
    it('prints every flag and two examples for --help, exit 0', async () => {
      const { code, out, err } = await run(['add', '--help']);
      expect({ code, err }).toEqual({ code: EXIT.done, err: '' });
      expect(out).toBe(SILENCE_USAGE);
      for (const flag of ['--alarm', '--for', '--until', '--starts', '--reason', '--by', '--severity', '--pause-remediation', '--all', '--json', '--stage', '--region', '--dry-run', '--help']) {
        expect(out).toContain(flag);
      }
      expect(out).toContain('firebreak silence add --stage prod');
      expect(out).toContain('firebreak silence list --stage prod');
    });

    it('is the silence command of the firebreak table, listed in firebreak --help', async () => {
      const out: string[] = [];
      const io: CliIo = { print: (l) => out.push(l), error: () => undefined, env: {} };
      expect(await runFirebreak(['silence', '--help'], io)).toBe(EXIT.done);
      expect(out.join('\n')).toBe(silenceCommand.help);
      out.length = 0;
      expect(await runFirebreak(['--help'], io)).toBe(EXIT.done);
      expect(out.join('\n')).toMatch(/^ {2}silence +add, list and expire silences/m);
    });
  });

  describe('add', () => {
    it.each([
      ['no --for or --until', without('--for'), 'a silence must end: give --for 2h (at most 7d) or --until 2026-12-06T04:00:00Z'],
      ['no --reason', without('--reason'), 'add needs --reason <text>: why, as the on-call reads it in Slack'],
      ['no --by', without('--by'), 'add needs --by <who>: your e-mail address or name, such as --by alice@example.com'],
      ['no --alarm', without('--alarm'), "add needs --alarm <pattern>: the alarms to silence, such as --alarm 'FeatureStore-*'"],
      ['an empty --alarm', [...ADD, '--alarm='], "--alarm needs a pattern: such as --alarm 'FeatureStore-*'"],
      ['a --for longer than 7d', [...without('--for'), '--for', '7d1s'], '--for 7d1s is longer than 7d, the longest a silence lasts'],
      ['a --for that is no duration', [...without('--for'), '--for', 'two hours'], '--for two hours is not a duration: write it as 30m, 2h, 1h30m or 7d (at most 7d)'],
      ['both --for and --until', [...ADD, '--until', '2026-12-06T04:00:00Z'], '--for and --until both say when it ends: give one'],
      ['an --until in the past', [...without('--for'), '--until', '2026-12-05T21:00:00Z'], '--until 2026-12-05T21:00:00Z is in the past (it is 2026-12-05T22:00:00Z): give a later time'],
      [
        'an --until before --starts',
        [...without('--for'), '--starts', '2026-12-06T02:00:00Z', '--until', '2026-12-06T01:00:00Z'],
        '--until 2026-12-06T01:00:00Z is not after --starts 2026-12-06T02:00:00Z: a silence ends after it starts',
      ],
      ['an --until more than 7d away', [...without('--for'), '--until', '2026-12-12T22:00:01Z'], '--until 2026-12-12T22:00:01Z is 7d1s after the start, longer than 7d'],
      ['an --until with no zone', [...without('--for'), '--until', '2026-12-06T04:00'], '--until 2026-12-06T04:00 is not an ISO time: write it with its zone, as 2026-12-06T04:00:00Z'],
      ['a --starts in the past', [...ADD, '--starts', '2026-12-05T21:00:00Z'], '--starts 2026-12-05T21:00:00Z is in the past (it is 2026-12-05T22:00:00Z): leave --starts out to start now'],
      ['an unknown severity', [...ADD, '--severity', 'fatal'], '--severity fatal is not a severity: give critical, warning or info (repeat --severity for more)'],
      ['a flag of another command', [...ADD, '--all'], 'add takes no --all: add takes --alarm, --for, --until, --starts, --reason, --by, --severity, --pause-remediation and the stage options'],
      ['a stray word', [...ADD, 'FeatureStore-Lag'], 'unexpected FeatureStore-Lag: give each pattern as --alarm <pattern>'],
    ])('refuses %s with exit 2, naming the flag and what to write, and opens no table', async (_case, argv, message) => {
      const store = new InMemorySilenceStore();
      const { code, err, opened } = await run(argv, { store });
      expect(code).toBe(EXIT.usage);
      expect(err).toContain(`silence: ${message}`);
      expect(err).toContain('see: firebreak silence --help');
      expect(opened).toEqual([]);
      expect(store.silences.size).toBe(0);
    });

    it('names every missing flag at once', async () => {
      const { code, err } = await run(['add']);
      expect(code).toBe(EXIT.usage);
      for (const flag of ['--alarm', '--for 2h', '--reason', '--by']) expect(err).toContain(flag);
    });

    it('stores exactly the fields given, with no severities when none is given, and ends start + duration', async () => {
      const store = new InMemorySilenceStore();
      const { code, opened } = await run(ADD, { store });
      expect(code).toBe(EXIT.done);
      expect(opened).toEqual([{ table: 'firebreak-prod-state', region: 'eu-west-1' }]);
      const stored = store.silences.get('sil-new0000001');
      expect(stored).toEqual({
        id: 'sil-new0000001',
        alarms: ['FeatureStore-*'],
        startsAt: '2026-12-05T22:00:00.000Z',
        endsAt: '2026-12-06T00:00:00.000Z',
        reason: 'migrating the feature store',
        createdBy: 'alice@example.com',
        createdAt: '2026-12-05T22:00:00.000Z',
        pauseRemediation: false,
      });
      expect(stored).not.toHaveProperty('severities');
      expect(store.audit).toEqual([{ change: 'added', at: '2026-12-05T22:00:00.000Z', by: 'alice@example.com', silence: stored }]);
    });

    it('stores every pattern, the severities (repeated or comma-separated, each once) and --pause-remediation', async () => {
      const store = new InMemorySilenceStore();
      const argv = [...ADD, '--alarm', 'RetailPrediction-HighLatency', '--severity', 'warning', '--severity', 'info,warning', '--pause-remediation'];
      expect((await run(argv, { store })).code).toBe(EXIT.done);
      expect(store.silences.get('sil-new0000001')).toMatchObject({
        alarms: ['FeatureStore-*', 'RetailPrediction-HighLatency'],
        severities: ['warning', 'info'],
        pauseRemediation: true,
      });
    });

    it('accepts --for 7d, the longest a silence lasts', async () => {
      const store = new InMemorySilenceStore();
      expect((await run([...without('--for'), '--for', '7d'], { store })).code).toBe(EXIT.done);
      expect(store.silences.get('sil-new0000001')?.endsAt).toBe('2026-12-12T22:00:00.000Z');
    });

    it('ends at --until, said in any zone and stored in UTC', async () => {
      const store = new InMemorySilenceStore();
      expect((await run([...without('--for'), '--until', '2026-12-06T05:00:00+01:00'], { store })).code).toBe(EXIT.done);
      expect(store.silences.get('sil-new0000001')).toMatchObject({ startsAt: '2026-12-05T22:00:00.000Z', endsAt: '2026-12-06T04:00:00.000Z' });
    });

    it('starts at a --starts in the future and ends --for after it', async () => {
      const store = new InMemorySilenceStore();
      const { code, out } = await run([...ADD, '--starts', '2026-12-06T02:00:00Z'], { store });
      expect(code).toBe(EXIT.done);
      expect(store.silences.get('sil-new0000001')).toMatchObject({ startsAt: '2026-12-06T02:00:00.000Z', endsAt: '2026-12-06T04:00:00.000Z', createdAt: '2026-12-05T22:00:00.000Z' });
      expect(out).toContain('sil-new0000001  STARTS LATER, in 4h');
    });

    it('prints the silence it added, and that Slack is told within a minute', async () => {
      const { out } = await run([...ADD, '--severity', 'critical', '--pause-remediation']);
      expect(out.split('\n')).toEqual([
        'added silence sil-new0000001 to STATE_TABLE firebreak-prod-state (eu-west-1, stage prod):',
        'sil-new0000001  ACTIVE, 2h left',
        '  alarms       FeatureStore-*',
        '  severity     critical',
        '  starts       2026-12-05T22:00:00Z (now)',
        '  ends         2026-12-06T00:00:00Z (2h after it starts)',
        '  reason       migrating the feature store',
        '  by           alice@example.com, at 2026-12-05T22:00:00Z',
        '  remediation  PAUSED for the alarms it covers',
        "Slack is told of it within a minute, on notify's schedule.",
        'End it early: firebreak silence expire sil-new0000001 --stage prod',
      ]);
    });

    it('writes to STATE_TABLE when the environment names it', async () => {
      const { opened } = await run(ADD, { env: { STATE_TABLE: 'ops-state' } });
      expect(opened).toEqual([{ table: 'ops-state', region: 'eu-west-1' }]);
    });

    it('fails with one message naming the table when it cannot write, exit 1', async () => {
      const { code, out, err } = await run(ADD, { store: new DynamoDbSilenceStore(noCredentials('eu-west-1'), 'firebreak-prod-state') });
      expect(code).toBe(EXIT.failed);
      expect(out).toBe('');
      expect(err).toBe(
        'could not add the silence in STATE_TABLE firebreak-prod-state (eu-west-1): no AWS credentials. Give credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login), or point AWS_ENDPOINT_URL at an emulator',
      );
    });
  });

  describe('list', () => {
    it("shows each silence with what it held back: counts per channel, the newest first", async () => {
      const store = new InMemorySilenceStore([silence()]);
      await store.recordHeld(held());
      await store.recordHeld(held({ messageId: 'm-1', channel: 'pagerduty' }));
      await store.recordHeld(held({ messageId: 'm-2', at: later(-10 * 60_000), alarm: 'FeatureStore-Lag', state: 'OK' }));
      const { code, out } = await run(['list', '--stage', 'prod'], { store });
      expect(code).toBe(EXIT.done);
      expect(out).toContain('1 silence active or starting later in STATE_TABLE firebreak-prod-state (eu-west-1, stage prod), at 2026-12-05T22:00:00Z:');
      expect(out).toContain('sil-active0001  ACTIVE, 1h left');
      expect(out).toContain(
        [
          '  held back    3 notifications: slack 2, pagerduty 1',
          '    2026-12-05T21:50:00Z  FeatureStore-Lag  OK  slack',
          '    2026-12-05T21:30:00Z  FeatureStore-HighLatency  ALARM  pagerduty',
          '    2026-12-05T21:30:00Z  FeatureStore-HighLatency  ALARM  slack',
        ].join('\n'),
      );
    });

    it('shows the newest five and how many earlier ones --json has', async () => {
      const store = new InMemorySilenceStore([silence()]);
      for (let i = 0; i < 7; i++) await store.recordHeld(held({ messageId: `m-${i}`, at: later((i - 10) * 60_000) }));
      const { out } = await run(['list', '--stage', 'prod'], { store });
      expect(out).toContain('  held back    7 notifications: slack 7');
      expect(out).toContain('    … and 2 earlier (--json lists them all)');
      expect(out.match(/FeatureStore-HighLatency {2}ALARM {2}slack/g)).toHaveLength(5);
    });

    it('says when a silence held nothing back yet, and shows one starting later', async () => {
      const store = new InMemorySilenceStore([silence({ id: 'sil-later00001', startsAt: later(2 * HOUR), endsAt: later(4 * HOUR), severities: ['critical'] })]);
      const { out } = await run(['list', '--stage', 'prod'], { store });
      expect(out).toContain('sil-later00001  STARTS LATER, in 2h');
      expect(out).toContain('  severity     critical');
      expect(out).toContain('  held back    nothing held back yet');
    });

    it('hides ended silences unless --all', async () => {
      const store = new InMemorySilenceStore([silence(), silence({ id: 'sil-ended00001', startsAt: later(-3 * HOUR), endsAt: later(-2 * HOUR), expiredBy: 'carol' })]);
      const shown = await run(['list', '--stage', 'prod'], { store });
      expect(shown.out).toContain('sil-active0001');
      expect(shown.out).not.toContain('sil-ended00001');
      const all = await run(['list', '--stage', 'prod', '--all'], { store });
      expect(all.out).toContain('2 silences in the table');
      expect(all.out).toContain('sil-ended00001  ENDED 2h ago, expired early by carol');
    });

    it('says there is none, and how to see ended ones', async () => {
      const store = new InMemorySilenceStore([silence({ startsAt: later(-3 * HOUR), endsAt: later(-2 * HOUR) })]);
      expect((await run(['list', '--stage', 'prod'], { store })).out).toBe(
        'no silences active or starting later in STATE_TABLE firebreak-prod-state (eu-west-1, stage prod) (--all shows the ended ones still in the table)',
      );
    });

    it('prints the data as JSON with --json: each silence, its status and every notification it held back', async () => {
      const store = new InMemorySilenceStore([silence(), silence({ id: 'sil-ended00001', endsAt: later(-HOUR) })]);
      await store.recordHeld(held());
      const { code, out } = await run(['list', '--stage', 'prod', '--json'], { store });
      expect(code).toBe(EXIT.done);
      expect(JSON.parse(out)).toEqual({
        stage: 'prod',
        table: 'firebreak-prod-state',
        region: 'eu-west-1',
        at: '2026-12-05T22:00:00.000Z',
        silences: [{ ...silence(), status: 'active', held: { count: 1, byChannel: { slack: 1 }, notifications: [held()] } }],
      });
    });

    it('in stage local reads nothing and says there is no table offline', async () => {
      const { code, out, opened } = await run(['list']);
      expect(code).toBe(EXIT.done);
      expect(opened).toEqual([]);
      expect(out).toContain('stage local has no table offline: nothing to list');
      const json = await run(['list', '--json']);
      expect(JSON.parse(json.out)).toMatchObject({ stage: 'local', table: null, silences: [] });
      expect(json.err).toContain('stage local has no table offline');
    });

    it('fails with one message naming the table when it cannot read, exit 1', async () => {
      const { code, out, err } = await run(['list', '--stage', 'prod'], { store: new DynamoDbSilenceStore(noCredentials('eu-west-1'), 'firebreak-prod-state') });
      expect(code).toBe(EXIT.failed);
      expect(out).toBe('');
      expect(err).toContain('could not read the silences in STATE_TABLE firebreak-prod-state (eu-west-1): no AWS credentials. Give credentials');
    });
  });

  describe('expire', () => {
    it('ends the silence now and writes the audit change, by the OS user unless --by', async () => {
      const store = new InMemorySilenceStore([silence()]);
      const { code, out } = await run(['expire', 'sil-active0001', '--stage', 'prod'], { store });
      expect(code).toBe(EXIT.done);
      const ended = { ...silence(), endsAt: '2026-12-05T22:00:00.000Z', expiredBy: 'bob' };
      expect(store.silences.get('sil-active0001')).toEqual(ended);
      expect(store.audit).toEqual([{ change: 'expired', at: '2026-12-05T22:00:00.000Z', by: 'bob', silence: ended }]);
      expect(out).toContain('expired silence sil-active0001 in STATE_TABLE firebreak-prod-state (eu-west-1, stage prod), at 2026-12-05T22:00:00Z by bob:');
      expect(out).toContain('sil-active0001  ENDED just now, expired early by bob');

      const other = new InMemorySilenceStore([silence()]);
      await run(['expire', 'sil-active0001', '--stage', 'prod', '--by', 'carol@example.com'], { store: other });
      expect(other.audit.map((c) => c.by)).toEqual(['carol@example.com']);
    });

    it.each([
      ['an unknown id', 'sil-nothere001', 'there is no silence sil-nothere001 (npm run silence -- list shows them)'],
      ['a silence that already ended', 'sil-ended00001', 'silence sil-ended00001 already ended at 2026-12-05T21:00:00.000Z'],
    ])('refuses %s with the store\'s message, exit 1', async (_case, id, message) => {
      const store = new InMemorySilenceStore([silence({ id: 'sil-ended00001', endsAt: later(-HOUR) })]);
      for (const argv of [['expire', id, '--stage', 'prod'], ['expire', id, '--stage', 'prod', '--dry-run']]) {
        const { code, err } = await run(argv, { store });
        expect({ argv, code, err }).toEqual({ argv, code: EXIT.failed, err: message });
      }
      expect(store.audit).toEqual([]);
    });

    it.each([
      [['expire'], 'expire needs a silence id: firebreak silence expire <id> (firebreak silence list shows them)'],
      [['expire', 'abc'], 'abc is not a silence id: an id is sil- and 10 letters or digits, as firebreak silence list shows'],
      [['expire', 'window:weekly-patch'], "window:weekly-patch is a maintenance window of the stage's policy, not a silence"],
      [['expire', 'sil-active0001', '--reason', 'done'], 'expire takes no --reason: expire takes --by and the stage options'],
      [['list', '--for', '2h'], 'list takes no --for: list takes --all, --json and the stage options'],
      [['mute'], 'unknown command mute: give add, list or expire'],
      [[], 'a command is needed: give add, list or expire'],
    ])('exits 2 for %j, naming the fix', async (argv, message) => {
      const { code, err, opened } = await run(argv);
      expect(code).toBe(EXIT.usage);
      expect(err).toContain(message);
      expect(opened).toEqual([]);
    });
  });

  describe('a dry run', () => {
    it.each([
      ['stage local', ['add', '--alarm', 'FeatureStore-*', '--for', '2h', '--reason', 'migrating', '--by', 'alice'], 'the default in stage local'],
      ['--dry-run', [...ADD, '--dry-run'], '--dry-run'],
    ])('add in %s prints what it would add and writes nothing', async (_case, argv, from) => {
      const store = new InMemorySilenceStore();
      const { code, out, opened } = await run(argv, { store });
      expect(code).toBe(EXIT.done);
      expect(opened).toEqual([]);
      expect(store.silences.size).toBe(0);
      expect(store.audit).toEqual([]);
      expect(out).toContain(`dry run (${from}): nothing is written; DRY_RUN=false writes`);
      expect(out).toMatch(/^would add silence sil-new0000001 to STATE_TABLE firebreak-(local|prod)-state/m);
      expect(out).toContain('Slack is not told: nothing was written.');
    });

    it('expire under --dry-run reads the silence and prints its end, writing nothing', async () => {
      const store = new InMemorySilenceStore([silence()]);
      const { code, out } = await run(['expire', 'sil-active0001', '--stage', 'prod', '--dry-run'], { store });
      expect(code).toBe(EXIT.done);
      expect(store.silences.get('sil-active0001')).toEqual(silence());
      expect(store.audit).toEqual([]);
      expect(out).toContain('would expire silence sil-active0001 in STATE_TABLE firebreak-prod-state (eu-west-1, stage prod), at 2026-12-05T22:00:00Z by bob:');
    });

    it('expire in stage local reads nothing and says so', async () => {
      const { code, out, opened } = await run(['expire', 'sil-active0001']);
      expect(code).toBe(EXIT.done);
      expect(opened).toEqual([]);
      expect(out).toContain('would expire silence sil-active0001 at 2026-12-05T22:00:00Z, by bob, if it is active; stage local has no table offline, so nothing was read');
    });

    it('refuses to write in stage local with no table, exit 2', async () => {
      const { code, err } = await run(['expire', 'sil-active0001'], { env: { DRY_RUN: 'false' } });
      expect(code).toBe(EXIT.usage);
      expect(err).toContain('stage local has no table offline to expire it in: set STATE_TABLE');
    });
  });

  it("names the table as serverless.yml's custom.stateTableName does", () => {
    const doc = load(readFileSync(SERVERLESS_YML, 'utf8')) as { custom: { stateTableName: string } };
    expect(doc.custom.stateTableName).toBe('firebreak-${sls:stage}-state');
  });
});
