// Operator CLI: `firebreak slack preview <event.json>` — the Slack app's parent message for an alarm, as Block Kit JSON and a Block Kit Builder link; offline.
import { readFileSync } from 'node:fs';
import { DEFAULT_RUNBOOK_BASE_URL } from '../config';
import { errorMessage } from '../errors';
import { formatSlack } from '../notify/format/slack';
import { parentMessage } from '../notify/slack-app';
import { buildView } from '../notify/view';
import { policyForStage } from '../policy/load';
import { answerCommandLine, HELP_ASKED, parseCommandLine } from './args';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';
import { readEventFile } from './policy';
import { resolveStage, STAGE_HELP, STAGE_OPTION } from './stage-options';

const HELP = `Usage: npm run slack -- preview [--stage S] <event.json> [more.json ...]
   or: firebreak slack preview [--stage S] <event.json> [more.json ...]

Prints, for each alarm in each event file (an SNS event, as in events/), the message the Slack app
posts as the alarm's parent: its Block Kit JSON (the attachment with its colour, blocks and buttons)
and a link that opens it in Slack's Block Kit Builder. Buttons follow the stage policy's
notify.slackApp. Sends nothing and reads nothing from AWS.

${STAGE_HELP}
  -h, --help     this text

Example:
  npm run slack -- preview --stage prod events/alarm-high-error-rate-alarm.json`;

/** Block Kit Builder's address for a message (it reads the message from the fragment). */
export const blockKitBuilderUrl = (message: unknown): string => `https://app.slack.com/block-kit-builder/#${encodeURIComponent(JSON.stringify(message))}`;

/** Parses `preview [--stage S] <file>...`; UsageError naming what is wrong. */
function parsePreviewArgs(argv: readonly string[], io: CliIo): { stage: string; files: string[] } | typeof HELP_ASKED {
  const { values, positionals } = parseCommandLine('firebreak slack', argv, STAGE_OPTION);
  if (values.help) return HELP_ASKED;
  const [sub, ...files] = positionals;
  if (sub !== 'preview') throw new UsageError(`${sub ? `unknown subcommand ${sub}` : 'a subcommand is needed'}: give preview <event.json>`);
  if (files.length === 0) throw new UsageError('an event file is needed: firebreak slack preview events/alarm-high-error-rate-alarm.json');
  return { stage: resolveStage(values.stage, io), files };
}

async function preview({ stage, files }: { stage: string; files: string[] }, io: CliIo): Promise<ExitCode> {
  const policy = policyForStage(stage);
  const slackApp = policy.notify.slackApp;
  if (!slackApp) {
    io.error(`the ${stage} policy has no notify.slackApp: Slack is the webhook there, whose messages have no buttons (npm run policy shows them)`);
    return EXIT.failed;
  }
  let failed = false;
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      io.error(`${path}: ${errorMessage(error)}`);
      failed = true;
      continue;
    }
    const file = await readEventFile(path, text);
    if (file.kind === 'refused') {
      io.error(`${path}: ${file.reason}`);
      failed = true;
      continue;
    }
    for (const message of file.kind === 'sns' ? file.messages : [file.message]) {
      const view = buildView(message, policy.notify, DEFAULT_RUNBOOK_BASE_URL);
      const payload = formatSlack(view, stage);
      const posted = view.type === 'alarm' ? parentMessage(payload, view, slackApp) : payload;
      io.print(`${path} (stage ${stage}, message ${message.messageId}):`);
      io.print(JSON.stringify(posted, null, 2));
      io.print(`Block Kit Builder: ${blockKitBuilderUrl({ attachments: posted.attachments })}`);
    }
  }
  return failed ? EXIT.failed : EXIT.done;
}

/** `firebreak slack`: the Slack app's offline commands. */
export const slackCommand: CliCommand = {
  name: 'slack',
  summary: "preview the Slack app's message for an alarm (Block Kit JSON and a Block Kit Builder link); offline",
  help: HELP,
  run: (argv, io) => answerCommandLine({ name: 'slack', help: HELP }, io, () => parsePreviewArgs(argv, io), (args) => preview(args, io)),
};
