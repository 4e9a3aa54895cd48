import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { BenchCase, BenchRow } from './bench-case.js';
import { inFreshSchema } from './bench-context.js';
import { describeMachine } from './machine.js';
import { parseBenchOptions } from './options.js';
import { formatTable, writeJson } from './report.js';

// `npm run bench [-- --quick] [--only save-sequential,load] [--ops 5000 …]`: every case under cases/, in
// file-name order, each in its own fresh schema; prints a table and writes the same rows as JSON.

async function loadCases(only: string[]): Promise<BenchCase[]> {
  const directory = new URL('./cases/', import.meta.url);
  const files = readdirSync(directory)
    .filter((file) => /\.ts$/.test(file))
    .sort();
  const cases: BenchCase[] = [];
  for (const file of files) cases.push(((await import(new URL(file, directory).href)) as { default: BenchCase }).default);
  const unknown = only.filter((name) => !cases.some((c) => c.name === name));
  if (unknown.length > 0) throw new Error(`unknown case(s) ${unknown.join(', ')}; known: ${cases.map((c) => c.name).join(', ')}`);
  return only.length === 0 ? cases : cases.filter((c) => only.includes(c.name));
}

/** Flags and case names are checked before any database work; a mistake there is a usage error. */
async function plan() {
  try {
    const options = parseBenchOptions(process.argv.slice(2));
    return { options, cases: await loadCases(options.only) };
  } catch (error) {
    console.error(
      `bench: ${(error as Error).message}\nflags: --quick --only <case,…> --out <file> ${Object.keys(parseBenchOptions([]).sizes)
        .map((size) => `--${size} <n>`)
        .join(' ')}`,
    );
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { options, cases } = await plan();
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(options.databaseUrl);
  console.log(
    `metaledger bench${options.quick ? ' (quick)' : ''}: ${cases.length} cases on PostgreSQL ${machine.postgres.server_version}, ${machine.cpu}`,
  );
  const rows: BenchRow[] = [];
  let crashed = 0;
  for (const bench of cases) {
    const started = performance.now();
    try {
      rows.push(...(await inFreshSchema(options.databaseUrl, bench.name, options.sizes, (context) => bench.run(context))));
    } catch (error) {
      crashed++;
      rows.push({ case: bench.name, operation: bench.name, error: (error as Error).stack ?? String(error) });
    }
    console.log(`  ${bench.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  // other work on a shared machine moves absolute figures: say how busy it was at both ends
  const loadAverageAtEnd = loadavg().map((load) => Math.round(load * 100) / 100);
  console.log(
    `\n${formatTable(rows)}\n\nload average (1, 5, 15 min): ${machine.loadAverageAtStart.join(', ')} at start, ${loadAverageAtEnd.join(', ')} at end`,
  );
  writeJson(options.outFile, {
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    sizes: options.sizes,
    machine: { ...machine, loadAverageAtEnd },
    rows,
  });
  console.log(`written to ${options.outFile}`);
  // a missed target is a result; a case that crashed is a broken benchmark
  if (crashed > 0) process.exitCode = 1;
}

await main();
