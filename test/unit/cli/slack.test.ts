// firebreak slack preview: the Slack app's parent message for an event file, offline.
import { runFirebreak } from '../../../shared/cli/main';
import type { CliIo } from '../../../shared/cli/command';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { print: (l) => out.push(l), error: (l) => err.push(l), env: {} };
  return { cli, out, err };
}

describe('firebreak slack preview', () => {
  it("prints the parent message with the policy's buttons and a Block Kit Builder link holding exactly that message", async () => {
    const { cli, out, err } = io();

    const code = await runFirebreak(['slack', 'preview', '--stage', 'prod', 'events/alarm-high-error-rate-alarm.json'], cli);

    expect({ code, err }).toEqual({ code: 0, err: [] });
    const message = JSON.parse(out[1]!) as { attachments: [{ blocks: { type: string; elements?: { action_id: string; url?: string }[] }[] }] };
    const actions = message.attachments[0].blocks.at(-1)!;
    expect(actions.type).toBe('actions');
    expect(actions.elements!.map((e) => e.action_id)).toEqual(['acknowledge', 'silence-1h', 'silence-4h', 'runbook']);
    expect(actions.elements!.at(-1)!.url).toMatch(/RetailPrediction-HighErrorRate\.md$/);
    const link = out[2]!.replace('Block Kit Builder: ', '');
    expect(link.startsWith('https://app.slack.com/block-kit-builder/#')).toBe(true);
    expect(JSON.parse(decodeURIComponent(link.split('#')[1]!))).toEqual({ attachments: message.attachments });
  });

  it('refuses a command line without an event file, or another subcommand, naming what to write (exit 2)', async () => {
    const none = io();
    const other = io();

    expect(await runFirebreak(['slack', 'preview'], none.cli)).toBe(2);
    expect(await runFirebreak(['slack', 'post', 'x.json'], other.cli)).toBe(2);
    expect(none.err.join('\n')).toContain('an event file is needed');
    expect(other.err.join('\n')).toContain('unknown subcommand post');
  });

  it('says a file it cannot read or notify would refuse, and exits 1', async () => {
    const { cli, err } = io();

    expect(await runFirebreak(['slack', 'preview', 'events/logs-api.json', 'no-such-file.json'], cli)).toBe(1);
    expect(err.join('\n')).toMatch(/events\/logs-api\.json: notify would refuse it/);
    expect(err.join('\n')).toContain('no-such-file.json');
  });
});
