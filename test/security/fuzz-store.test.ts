import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import {
  anyNumber,
  anyValue,
  changesOptions,
  filters,
  historyOptions,
  instant,
  knownName,
  moment,
  name,
  record,
  storableJson,
  typeName,
  writeContext,
} from './helpers/arbitraries.js';
import { checkCall, expectStoredAs, fuzzParameters, fuzzTimeout, newTally } from './helpers/fuzz.js';

/**
 * Property-based fuzzing of the store's public calls with generated input, JSON and not. Invariants:
 * only MetaledgerErrors escape; a failed call (and any read) writes nothing; an accepted record loads
 * back deep-equal to what was given (as JSON stores it); verify() stays ok.
 */
let database: TestDatabase;
let store: MetadataStore;
const tally = newTally();

beforeAll(async () => {
  database = await createTestDatabase('fuzz_store');
  store = await database.open();
  for (const item of ['account', 'lead']) await store.save('object', { name: item, metadata: { v: 1 } });
});
afterAll(async () => {
  console.info('fuzz store:', JSON.stringify(tally));
  await database.dispose();
});

const saveOptions = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        expectedVersion: anyNumber,
        onConflict: fc.oneof(fc.constantFrom('error', 'update', 'replace'), anyValue),
        actor: name,
        reason: anyValue,
      },
      { requiredKeys: [] },
    ),
  },
);

/** A write and what to check once it is accepted. */
const writes = fc.oneof(
  { weight: 4, arbitrary: fc.record({ method: fc.constant('save' as const), type: typeName, record, options: saveOptions }) },
  fc.record({
    method: fc.constant('update' as const),
    type: fc.constant('object'),
    name: fc.oneof({ weight: 3, arbitrary: knownName }, { weight: 1, arbitrary: name }),
    next: fc.oneof(
      { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), storableJson, { maxKeys: 4 }) },
      { weight: 1, arbitrary: anyValue },
    ),
    context: writeContext,
  }),
  fc.record({
    method: fc.constant('delete' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    options: fc.oneof(writeContext, anyValue),
  }),
  fc.record({
    method: fc.constant('rollback' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    version: anyNumber,
    options: fc.oneof(writeContext, anyValue),
  }),
);

const reads = fc.oneof(
  fc.record({
    method: fc.constant('load' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    options: fc.oneof(fc.constant({}), anyValue),
  }),
  fc.record({ method: fc.constant('list' as const), type: typeName, filters: fc.oneof(filters, anyValue) }),
  fc.record({ method: fc.constant('getAt' as const), type: typeName, name: fc.oneof(knownName, name), moment }),
  fc.record({ method: fc.constant('history' as const), type: typeName, name: fc.oneof(knownName, name), options: historyOptions }),
  fc.record({ method: fc.constant('changes' as const), options: changesOptions }),
  fc.record({
    method: fc.constant('diff' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    from: fc.oneof(anyNumber, instant),
    to: fc.oneof(anyNumber, instant),
  }),
  fc.record({ method: fc.constant('blame' as const), type: typeName, name: fc.oneof(knownName, name) }),
  fc.record({
    method: fc.constant('restore' as const),
    options: fc.record(
      { position: anyNumber, asOf: instant, types: anyValue, namespace: name, dryRun: fc.constant(true) },
      { requiredKeys: ['dryRun'] },
    ),
  }),
);

type Call = fc.Arbitrary<{ method: string } & Record<string, unknown>> extends fc.Arbitrary<infer T> ? T : never;

// the generated arguments go to the store as given: the point is to break its typing
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loose = (value: unknown): any => value;

function run(call: Call): () => Promise<unknown> {
  const c = call as Record<string, unknown>;
  switch (call.method) {
    case 'save':
      return () => store.save(loose(c.type), loose(c.record), loose(c.options));
    case 'update':
      return () => store.update(loose(c.type), loose(c.name), (current) => loose({ ...current, metadata: c.next }), loose(c.context));
    case 'delete':
      return () => store.delete(loose(c.type), loose(c.name), loose(c.options));
    case 'rollback':
      return () => store.rollback(loose(c.type), loose(c.name), loose(c.version), loose(c.options));
    case 'load':
      return () => store.load(loose(c.type), loose(c.name), loose(c.options));
    case 'list':
      return () => store.list(loose(c.type), loose(c.filters));
    case 'getAt':
      return () => store.getAt(loose(c.type), loose(c.name), loose(c.moment));
    case 'history':
      return () => store.history(loose(c.type), loose(c.name), loose(c.options));
    case 'changes':
      return () => store.changes(loose(c.options));
    case 'diff':
      return () => store.diff(loose(c.type), loose(c.name), loose(c.from), loose(c.to));
    case 'blame':
      return () => store.blame(loose(c.type), loose(c.name));
    default:
      return () => store.restore(loose(c.options));
  }
}

/** After an accepted save or update: the item loads back with exactly the fields given, as JSON stores them. */
async function loadsBack(call: Call, result: unknown): Promise<void> {
  const c = call as Record<string, unknown>;
  if (call.method !== 'save' && call.method !== 'update') return;
  if ((result as { skipped?: boolean }).skipped) return;
  const given = call.method === 'save' ? (c.record as Record<string, unknown>) : { name: c.name, metadata: c.next };
  const { data } = await store.load(c.type as string, given.name as string, { cache: false });
  expect(data, 'an accepted record loads back').not.toBeNull();
  const stored = data as unknown as Record<string, unknown>;
  expectStoredAs(stored.metadata, given.metadata);
  for (const field of ['namespace', 'scope', 'owner', 'extends', 'state', 'strategy'] as const) {
    if (given[field] !== undefined) expect(stored[field], field).toBe(given[field]);
  }
}

describe('fuzz: the store', () => {
  it(
    'writes: only MetaledgerErrors, a refusal writes nothing, what is accepted loads back deep-equal',
    async () => {
      await fc.assert(
        fc.asyncProperty(writes, async (call) => {
          const outcome = await checkCall(database, tally, { label: `store.${call.method}`, writes: true, run: run(call) });
          if (outcome.ok) await loadsBack(call, outcome.value);
        }),
        fuzzParameters(700),
      );
    },
    fuzzTimeout(700),
  );

  it(
    'reads, history, time travel and dry runs: only MetaledgerErrors, and nothing written',
    async () => {
      await fc.assert(
        fc.asyncProperty(reads, async (call) => {
          await checkCall(database, tally, { label: `store.${call.method}`, writes: false, run: run(call) });
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeout(500),
  );

  it('verify() stays ok after all of it', async () => {
    const report = await store.verify();
    for (const problem of report.problems) {
      // what a failure needs to be understood: the item's log and its projection row
      const events = await database.query(
        `SELECT version, kind, patch, snapshot FROM metadata_events WHERE type = $1 AND name = $2 ORDER BY version`,
        [problem.type, problem.name],
      );
      const rows = await database.query(`SELECT * FROM _framework_metadata WHERE type = $1 AND name = $2`, [problem.type, problem.name]);
      console.error('verify problem', JSON.stringify({ problem, events, rows }));
    }
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(tally.calls).toBeGreaterThan(0);
  });
});
