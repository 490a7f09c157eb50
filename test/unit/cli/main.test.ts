// Unit tests: the `firebreak` CLI — one table of subcommands, its help, and the exit codes of a bad command line.
import { EXIT, type CliCommand, type CliIo } from '../../../shared/cli/command';
import { COMMANDS, firebreakHelp, runFirebreak } from '../../../shared/cli/main';

async function run(argv: string[], commands = COMMANDS) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { print: (l) => out.push(l), error: (l) => err.push(l), env: {} };
  const code = await runFirebreak(argv, io, commands);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const fake = (name: string, run: CliCommand['run']): CliCommand => ({ name, summary: `the ${name} command`, help: `usage: firebreak ${name}`, run });

describe('firebreak', () => {
  it('has policy, breaker, bench, replay and sandbox, each named as its key in the table', async () => {
    expect(Object.keys(COMMANDS)).toEqual(['policy', 'breaker', 'bench', 'replay', 'sandbox', 'silence', 'slack']);
    for (const [key, load] of Object.entries(COMMANDS)) expect((await load()).name).toBe(key);
  });

  it('lists every subcommand with its summary for --help and -h, exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await run([flag]);
      expect(code).toBe(EXIT.done);
      expect(out).toContain('Usage: firebreak <command> [options]');
      for (const load of Object.values(COMMANDS)) {
        const command = await load();
        expect(out).toContain(`  ${command.name.padEnd(Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2)}${command.summary}`);
      }
    }
  });

  it('takes a subcommand from the table, so adding one is adding its line', async () => {
    const commands = { ...COMMANDS, silence: async () => fake('silence', async (argv, io) => (io.print(`silence ${argv.join(' ')}`), EXIT.done)) };
    expect(await firebreakHelp(commands)).toMatch(/^ {2}silence +the silence command$/m);
    expect(await run(['silence', 'list'], commands)).toMatchObject({ code: EXIT.done, out: 'silence list' });
  });

  it.each(Object.keys(COMMANDS))('prints the help of %s for `<command> --help` and `help <command>`, exit 0', async (name) => {
    const command = await COMMANDS[name]!();
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const { code, out, err } = await run(argv);
      expect({ argv, code, err }).toEqual({ argv, code: EXIT.done, err: '' });
      expect(out).toBe(command.help);
    }
  });

  it.each(['policy', 'breaker', 'bench'])('answers an unknown flag of %s with exit 2, naming the flags it takes', async (name) => {
    const { code, err } = await run([name, '--bogus']);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`unknown option --bogus: firebreak ${name} takes `);
  });

  it.each([
    [[], 'a command is needed: give one of policy, breaker, bench, replay, sandbox'],
    [['polcy'], 'unknown command "polcy": give one of policy, breaker, bench, replay, sandbox, silence, slack (firebreak --help)'],
    [['--stage', 'prod', 'policy'], '--stage goes after the command: firebreak <command> --stage'],
    [['toString'], 'unknown command "toString"'],
  ])('answers %j with exit 2, naming the fix', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
  });

  it('prints a command that throws as one message and exit 1, never a stack trace', async () => {
    const commands = {
      boom: async () =>
        fake('boom', async () => {
          throw new Error('the table is gone');
        }),
    };
    expect(await run(['boom'], commands)).toEqual({ code: EXIT.failed, out: '', err: 'firebreak boom: the table is gone' });
  });
});
