import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { expect } from 'vitest';
import { isMetaledgerError } from '../../../src/index.js';
import type { TestDatabase } from '../../helpers/test-store.js';
import { storeState } from './store-state.js';

/**
 * One seed per run, printed, so a failure found after the properties passed (verify() at the end) can
 * be replayed too: `METALEDGER_FUZZ_SEED=<seed>` reruns every property of the file with it.
 */
const runSeed =
  process.env.METALEDGER_FUZZ_SEED === undefined
    ? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0
    : Number(process.env.METALEDGER_FUZZ_SEED);
console.info(`fuzz seed ${runSeed} (replay with METALEDGER_FUZZ_SEED=${runSeed})`);

/**
 * How the fuzz properties run: a CI budget per property, or `METALEDGER_FUZZ_RUNS` for long runs
 * (`npm run fuzz`). A failing property prints its seed and path (fast-check's message);
 * `METALEDGER_FUZZ_SEED` and `METALEDGER_FUZZ_PATH` replay it.
 */
export function fuzzParameters(ciRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.METALEDGER_FUZZ_RUNS) || ciRuns;
  const path = process.env.METALEDGER_FUZZ_PATH;
  return { numRuns: runs, seed: runSeed, ...(path ? { path } : {}) };
}

/** A timeout for a property test that scales with its runs (long runs are meant to be long). */
export function fuzzTimeout(ciRuns: number): number {
  return 60_000 + (Number(process.env.METALEDGER_FUZZ_RUNS) || ciRuns) * 200;
}

/** What the fuzzers saw, for the figures in docs/security.md. */
export interface FuzzTally {
  calls: number;
  accepted: number;
  refused: Record<string, number>;
  /** Per call: how many ran and how many were accepted. */
  byCall: Record<string, { calls: number; accepted: number }>;
}

export const newTally = (): FuzzTally => ({ calls: 0, accepted: 0, refused: {}, byCall: {} });

/**
 * Runs one generated call and holds it to the invariants: it resolves or rejects with a MetaledgerError
 * (never anything else, and never INTERNAL: that would be an input no layer checked), a rejected call wrote nothing (log, changesets, streams, projection), a read
 * wrote nothing either, and nothing reached Object.prototype. Resolves to the call's value when it
 * resolved.
 */
export async function checkCall(
  database: TestDatabase,
  tally: FuzzTally,
  call: {
    label: string;
    writes: boolean;
    run(): Promise<unknown>;
    /** A failure that reports its own partial writes (a bulk operation without a transaction says which records it wrote). */
    partialWrite?(error: unknown): boolean;
  },
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  const before = await storeState(database);
  tally.calls++;
  const byCall = (tally.byCall[call.label] ??= { calls: 0, accepted: 0 });
  byCall.calls++;
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await call.run() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  expect(Object.keys(Object.prototype), 'Object.prototype polluted').toEqual([]);
  if (outcome.ok) {
    tally.accepted++;
    byCall.accepted++;
    if (!call.writes)
      expect(withoutRefusals(await storeState(database)), `${call.label} is a read but wrote`).toEqual(withoutRefusals(before));
    return outcome;
  }
  const { error } = outcome;
  // INTERNAL is the boundary's last line of defence: reaching it means an input no layer checked
  if (!isMetaledgerError(error) || error.code === 'INTERNAL') {
    const cause = (error as { cause?: Error }).cause;
    throw new Error(`${call.label} rejected with ${(error as Error)?.stack ?? String(error)}${cause ? `\ncaused by ${cause.stack}` : ''}`);
  }
  tally.refused[error.code] = (tally.refused[error.code] ?? 0) + 1;
  if (!call.partialWrite?.(error))
    expect(withoutRefusals(await storeState(database)), `${call.label} failed with ${error.code} but wrote`).toEqual(
      withoutRefusals(before),
    );
  return { ok: false, error };
}

function withoutRefusals(state: Awaited<ReturnType<typeof storeState>>) {
  const { refusals: _refusals, ...rest } = state;
  return rest;
}

/**
 * An accepted value loads back as its JSON form (undefined properties absent, -0 as 0), deep and strictly
 * equal. (node's isDeepStrictEqual, not toStrictEqual: that one reads a `constructor` key as the class.)
 */
export function expectStoredAs(stored: unknown, given: unknown): void {
  const expected = JSON.parse(JSON.stringify(given)) as unknown;
  if (!isDeepStrictEqual(stored, expected)) expect(stored, 'the stored value differs from the one given').toEqual(expected);
  expect(isDeepStrictEqual(stored, expected)).toBe(true);
}
