// Benchmarks: what each area's run returns — every target it printed a verdict for, met or missed — so `firebreak bench --strict` needs no output parsing.

/** One target a benchmark measured against, as its verdict line names it. */
export interface BenchVerdict {
  readonly target: string;
  readonly met: boolean;
}

/** One benchmark area (bench/<area>.ts): prints its figures through `print`, resolves to its verdicts. */
export interface BenchArea {
  run(print: (line: string) => void): Promise<readonly BenchVerdict[]>;
}
