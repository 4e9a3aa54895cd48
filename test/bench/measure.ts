import { countStatements, type StatementProfile } from './round-trips.js';

/** One side of a comparison: `op(index)` does one operation; every index is used once. */
export interface Side {
  name: string;
  op: (index: number) => Promise<unknown>;
}

export interface RunShape {
  /** Timed operations per side. */
  ops: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  profileOps: number;
}

export interface Stats {
  name: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** SQL statements (round trips) per operation, counted in an untimed pass. */
  roundTrips: StatementProfile;
}

interface Sample {
  seconds: number;
  latenciesMs: number[];
}

/** Runs indices [from, from + count) through `op` with `concurrency` workers pulling the next index. */
async function runOps(op: Side['op'], from: number, count: number, concurrency: number): Promise<Sample> {
  const latenciesMs: number[] = [];
  let next = from;
  const end = from + count;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      const started = performance.now();
      await op(index);
      latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Times the sides on the same database in the same run: each warms up, then the timed operations are
 * split into rounds that alternate the order (A B, B A, …) so drift on a shared machine hits every
 * side alike; finally an untimed pass counts each side's SQL statements per operation.
 */
export async function measureInterleaved(sides: Side[], shape: RunShape): Promise<Stats[]> {
  for (const side of sides) await runOps(side.op, 0, shape.warmup, shape.concurrency);
  const samples: Sample[] = sides.map(() => ({ seconds: 0, latenciesMs: [] }));
  const rounds = Math.max(1, Math.min(shape.rounds, shape.ops));
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    const count = Math.floor((shape.ops * (round + 1)) / rounds) - done;
    const order = round % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) {
      const sample = await runOps(sides[i].op, shape.warmup + done, count, shape.concurrency);
      samples[i].seconds += sample.seconds;
      samples[i].latenciesMs = samples[i].latenciesMs.concat(sample.latenciesMs);
    }
    done += count;
  }
  const profileFrom = shape.warmup + shape.ops;
  const stats: Stats[] = [];
  for (const [i, side] of sides.entries()) {
    const roundTrips = await countStatements(shape.profileOps, async () => {
      await runOps(side.op, profileFrom, shape.profileOps, shape.concurrency);
    });
    const sorted = samples[i].latenciesMs.sort((a, b) => a - b);
    stats.push({
      name: side.name,
      ops: shape.ops,
      seconds: round3(samples[i].seconds),
      opsPerSec: Math.round(shape.ops / samples[i].seconds),
      p50Ms: round3(percentile(sorted, 0.5)),
      p99Ms: round3(percentile(sorted, 0.99)),
      roundTrips,
    });
  }
  return stats;
}

/** Indices a side will be called with: warm-up, timed rounds and the profile pass. */
export const indicesUsed = (shape: RunShape): number => shape.warmup + shape.ops + shape.profileOps;

/**
 * Stats of a side whose every operation handles `unitsPerOp` items (records of a bulk call): ops and
 * ops/s count items; latencies and round trips stay per operation.
 */
export function perUnit(stats: Stats, unitsPerOp: number): Stats {
  const ops = stats.ops * unitsPerOp;
  return { ...stats, ops, opsPerSec: Math.round(ops / stats.seconds) };
}

/**
 * Times one run of work too large to repeat (a rebuild of a million events) that handles `units` items,
 * counting its SQL statements as it goes. One run has no latency distribution: p50 and p99 are left out.
 */
export async function measureOnce(name: string, units: number, work: () => Promise<unknown>): Promise<Stats> {
  let seconds = 0;
  const roundTrips = await countStatements(1, async () => {
    const started = performance.now();
    await work();
    seconds = (performance.now() - started) / 1000;
  });
  return {
    name,
    ops: units,
    seconds: round3(seconds),
    opsPerSec: Math.round(units / seconds),
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    roundTrips,
  };
}
