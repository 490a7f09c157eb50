// Benchmarks: `npm run bench` runs every area's benchmark in turn and prints figures and ratios.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const AREAS = ['notify', 'logs', 'bundles'];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const area of AREAS) {
    if (only.length && !only.includes(area)) continue;
    if (!existsSync(join(__dirname, `${area}.ts`))) continue;
    const bench = (await import(`./${area}`)) as { run: () => Promise<void> };
    await bench.run();
    console.log('');
  }
}

void main();
