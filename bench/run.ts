// Benchmarks: `firebreak bench [notify|logs|bundles]` runs each area's benchmark in turn, prints figures and verdicts, and with --strict fails on a missed target.
import { answerCommandLine, HELP_ASKED, parseCommandLine } from '../shared/cli/args';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from '../shared/cli/command';
import { errorMessage } from '../shared/errors';
import type { BenchArea, BenchVerdict } from './verdict';

/** Every benchmark area (bench/<area>.ts), in the order they run; each loaded only when it runs. */
export const AREAS: Readonly<Record<string, () => Promise<BenchArea>>> = {
  notify: () => import('./notify'),
  logs: () => import('./logs'),
  bundles: () => import('./bundles'),
};

const help = (areas: readonly string[]) => `Usage: npm run bench -- [${areas.join('|')} ...] [--strict]
   or: firebreak bench [${areas.join('|')} ...] [--strict]

Runs the benchmarks of the areas named (default: all, in this order) and prints their figures; each
target's line ends in its verdict (OK, MISSED, OVER BUDGET), and a summary lists the missed ones.
Timings depend on the machine and its load: run on a quiet one, and compare runs, not single figures.

  --strict     exit 1 when any target was missed (without it a missed target still exits 0)
  -h, --help   this text

Exit codes: 0 done (with --strict: every target met); 1 a benchmark failed to run, or with --strict a
target was missed; 2 bad usage.

Examples:
  npm run bench -- logs
  firebreak bench bundles --strict`;

/** `firebreak bench` over `areas` (tests pass their own). */
export function createBenchCommand(areas: Readonly<Record<string, () => Promise<BenchArea>>> = AREAS): CliCommand {
  const names = Object.keys(areas);
  const text = help(names);
  const read = (argv: readonly string[]) => {
    const { values, positionals } = parseCommandLine('firebreak bench', argv, { strict: { type: 'boolean' } });
    if (values.help) return HELP_ASKED;
    const unknown = positionals.filter((p) => !names.includes(p));
    if (unknown.length > 0) throw new UsageError(`unknown area ${unknown.join(', ')}: give any of ${names.join(', ')}, or none for all`);
    return { strict: values.strict ?? false, only: positionals };
  };
  const command: CliCommand = {
    name: 'bench',
    summary: `run the benchmarks (${names.join(', ')}) and print their figures and verdicts; --strict fails on a missed target`,
    help: text,
    run: (argv, io) => answerCommandLine(command, io, () => read(argv), ({ strict, only }) => runAreas(strict, only, io)),
  };
  return command;

  async function runAreas(strict: boolean, only: readonly string[], io: CliIo): Promise<ExitCode> {
    const verdicts: BenchVerdict[] = [];
    for (const name of names.filter((n) => only.length === 0 || only.includes(n))) {
      try {
        verdicts.push(...(await (await areas[name]!()).run(io.print)));
      } catch (error) {
        io.error(`bench ${name} failed to run: ${errorMessage(error)}`);
        return EXIT.failed;
      }
      io.print('');
    }
    const missed = verdicts.filter((v) => !v.met);
    io.print(`targets: ${verdicts.length - missed.length} of ${verdicts.length} met${missed.length > 0 ? `; missed: ${missed.map((v) => v.target).join('; ')}` : ''}`);
    if (missed.length > 0 && !strict) io.print('(a missed target exits 0; --strict makes it exit 1)');
    return strict && missed.length > 0 ? EXIT.failed : EXIT.done;
  }
}

/** `firebreak bench` over bench/'s areas. */
export const benchCommand: CliCommand = createBenchCommand();
