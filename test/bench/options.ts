import { parseArgs } from 'node:util';

/** How much work each case does. Every field is a `--flag` of the same name (e.g. `--ops 5000`). */
export interface BenchSizes {
  /** Timed operations per side in the one-writer cases. */
  ops: number;
  /** Timed operations per side in the concurrent cases. */
  concurrentOps: number;
  /** Concurrent writers (and pool size) in the concurrent cases. */
  writers: number;
  /** Timed updates of the one hot item. */
  hotOps: number;
  /** Items loaded by the load case. */
  loadItems: number;
  /** Timed cached loads. */
  cachedOps: number;
  /** Untimed operations per side before timing (opens connections, warms caches and JIT). */
  warmup: number;
  /** Each comparison alternates the sides this many times, so drift on a shared machine hits both. */
  rounds: number;
  /** Untimed operations per side whose SQL statements are counted (round trips per operation). */
  profileOps: number;
  /** Records per bulk call (and per raw multi-row insert run) in the bulk case. */
  bulkRecords: number;
  /** Timed bulk calls per side, per phase and batch size. */
  bulkCalls: number;
  /** Items the query case seeds before paging through them. */
  queryItems: number;
  /** Timed queries per side in the query case. */
  queryOps: number;
  /** Timed getAt reads per side in the time-travel case. */
  travelOps: number;
  /** Versions of the one item the time-travel case reads back. */
  versions: number;
  /** Events in the log the rebuild case replays (items × 10 rounds of upserts). */
  rebuildEvents: number;
}

export interface BenchOptions {
  sizes: BenchSizes;
  quick: boolean;
  /** Case names to run (all when empty). */
  only: string[];
  databaseUrl: string;
  outFile: string;
}

const fullSizes: BenchSizes = {
  ops: 3000,
  concurrentOps: 6000,
  writers: 16,
  hotOps: 1500,
  loadItems: 2000,
  cachedOps: 500_000,
  warmup: 200,
  rounds: 6,
  profileOps: 50,
  bulkRecords: 10_000,
  bulkCalls: 3,
  queryItems: 100_000,
  queryOps: 1000,
  travelOps: 200,
  versions: 10_000,
  rebuildEvents: 1_000_000,
};

const quickSizes: BenchSizes = {
  ops: 300,
  concurrentOps: 640,
  writers: 16,
  hotOps: 160,
  loadItems: 200,
  cachedOps: 100_000,
  warmup: 30,
  rounds: 2,
  profileOps: 16,
  bulkRecords: 2_000,
  bulkCalls: 1,
  queryItems: 10_000,
  queryOps: 200,
  travelOps: 50,
  versions: 2_000,
  rebuildEvents: 50_000,
};

const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${flag} must be a positive integer, got "${value}"`);
  return number;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const sizeFlags = Object.fromEntries(Object.keys(fullSizes).map((key) => [key, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: 'bench-results/latest.json' },
      ...sizeFlags,
    },
    strict: true,
  });
  const quick = values.quick === true;
  const sizes = { ...(quick ? quickSizes : fullSizes) };
  for (const key of Object.keys(sizes) as (keyof BenchSizes)[]) {
    const given = (values as Record<string, unknown>)[key];
    if (typeof given === 'string') sizes[key] = positiveInteger(key, given);
  }
  return {
    sizes,
    quick,
    only:
      typeof values.only === 'string'
        ? values.only
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean)
        : [],
    databaseUrl: process.env.DATABASE_URL || defaultDatabaseUrl,
    outFile: String(values.out),
  };
}
