// Unit tests: `firebreak bench` — areas chosen on the command line, their verdicts summed up, and --strict's exit code, over fake areas.
import { AREAS, benchCommand, createBenchCommand } from '../../../bench/run';
import type { BenchArea, BenchVerdict } from '../../../bench/verdict';
import { EXIT } from '../../../shared/cli/command';

const area = (name: string, verdicts: BenchVerdict[]): BenchArea => ({
  run: async (print) => {
    print(`${name}: measured`);
    return verdicts;
  },
});

const FAKE = {
  fast: async () => area('fast', [{ target: 'fast: under 1 ms', met: true }]),
  slow: async () => area('slow', [{ target: 'slow: under 2 s', met: true }, { target: 'slow: at most 100 MB', met: false }]),
};

async function run(argv: string[], areas: Parameters<typeof createBenchCommand>[0] = FAKE) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await createBenchCommand(areas).run(argv, { print: (l) => out.push(l), error: (l) => err.push(l), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('firebreak bench', () => {
  it('runs notify, logs and bundles, in that order', () => {
    expect(Object.keys(AREAS)).toEqual(['notify', 'logs', 'bundles']);
    expect(benchCommand.help).toContain('firebreak bench [notify|logs|bundles ...] [--strict]');
  });

  it('with --strict exits 1 when a printed target was missed, naming it', async () => {
    const { code, out } = await run(['--strict']);
    expect(code).toBe(EXIT.failed);
    expect(out).toContain('fast: measured');
    expect(out).toContain('slow: measured');
    expect(out).toContain('targets: 2 of 3 met; missed: slow: at most 100 MB');
  });

  it('without --strict exits 0 on a missed target, as before, and says how to make it fail', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(EXIT.done);
    expect(out).toContain('(a missed target exits 0; --strict makes it exit 1)');
  });

  it('runs only the areas named, and with --strict exits 0 when all their targets were met', async () => {
    const { code, out } = await run(['fast', '--strict']);
    expect(code).toBe(EXIT.done);
    expect(out).not.toContain('slow');
    expect(out).toContain('targets: 1 of 1 met');
  });

  it('exits 1 when an area fails to run', async () => {
    const broken = {
      boom: async (): Promise<BenchArea> => ({
        run: async () => {
          throw new Error('esbuild is missing');
        },
      }),
    };
    expect(await run([], broken)).toMatchObject({ code: EXIT.failed, err: 'bench boom failed to run: esbuild is missing' });
  });

  it('prints its help for --help, exit 0, running nothing', async () => {
    const { code, out } = await run(['slow', '--help']);
    expect(code).toBe(EXIT.done);
    expect(out).toContain('--strict     exit 1 when any target was missed');
    expect(out).not.toContain('measured');
  });

  it.each([
    [['fats'], 'unknown area fats: give any of fast, slow, or none for all'],
    [['--strict=yes'], '--strict takes no value: write --strict alone'],
    [['--stric'], 'unknown option --stric: firebreak bench takes --strict, --help (firebreak bench --help)'],
  ])('exits 2 for %j, naming the fix, running nothing', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
    expect(out).toBe('');
  });
});
