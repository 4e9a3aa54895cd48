import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkOperationError, type BulkRecordResult } from '../../src/driver/bulk/bulk-result.js';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import type { MetadataStore } from '../../src/index.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import {
  anyNumber,
  anyValue,
  knownName,
  mostly,
  name,
  principal,
  queryOptions,
  record,
  sort,
  typeName,
  validRecord,
} from './helpers/arbitraries.js';
import { checkCall, expectStoredAs, fuzzParameters, fuzzTimeout, newTally } from './helpers/fuzz.js';

/**
 * Property-based fuzzing of the driver (queries, bulk operations, loads) and of the service (register,
 * get, list, unregister as generated principals), with the store's invariants: only MetaledgerErrors
 * escape; a failed call (and any read) writes nothing; accepted records load back deep-equal; verify()
 * stays ok.
 */
let database: TestDatabase;
let store: MetadataStore;
let driver: MetadataDriver;
let service: MetadataService;
const tally = newTally();

beforeAll(async () => {
  database = await createTestDatabase('fuzz_driver_service');
  store = await database.open();
  driver = new MetadataDriver(store);
  service = createMetadataService({ store });
  for (const item of ['account', 'lead']) await store.save('object', { name: item, metadata: { v: 1, label: item } });
});
afterAll(async () => {
  console.info('fuzz driver and service:', JSON.stringify(tally));
  await database.dispose();
});

// the generated arguments go in as given: the point is to break the typing
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loose = (value: unknown): any => value;

/** The item a generated bulk record names, as text (without serialising a value that may be a cycle). */
function keyOf(given: unknown): string {
  const { type, name: itemName } = (typeof given === 'object' && given !== null ? given : {}) as { type?: unknown; name?: unknown };
  return `${typeof type === 'string' ? type : '?'}/${typeof itemName === 'string' ? itemName : '?'}`;
}

/** Records for a bulk call: each with a type, like the protocol's bulk records. */
const bulkRecord = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('object', 'view'), validRecord).map(([type, given]) => ({ ...given, type })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('object', 'view'), record)
      .map(([type, given]) => (typeof given === 'object' && given !== null ? { ...given, type } : given)),
  },
  { weight: 1, arbitrary: fc.record({ type: typeName, name: fc.oneof(knownName, name) }) },
);

const driverCalls = fc.oneof(
  fc.record({
    method: fc.constant('query' as const),
    options: fc.oneof({ weight: 4, arbitrary: queryOptions }, { weight: 1, arbitrary: anyValue }),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      method: fc.constant('bulkOperation' as const),
      operation: fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record(
            {
              operation: fc.oneof(
                { weight: 5, arbitrary: fc.constantFrom('create', 'update', 'upsert', 'delete') },
                { weight: 1, arbitrary: anyValue },
              ),
              records: fc.oneof(
                {
                  weight: 5,
                  arbitrary: fc.uniqueArray(bulkRecord, {
                    maxLength: 3,
                    // one record per item: a repeated key is a refusal of its own, tested elsewhere
                    selector: (r) => keyOf(r),
                  }),
                },
                { weight: 1, arbitrary: anyValue },
              ),
              transactional: mostly(fc.boolean()),
              batch: mostly(
                fc.record(
                  { size: fc.oneof(fc.integer({ min: 1, max: 3 }), anyNumber), continueOnError: fc.boolean() },
                  { requiredKeys: [] },
                ),
              ),
            },
            { requiredKeys: ['operation', 'records'] },
          ),
        },
        { weight: 1, arbitrary: anyValue },
      ),
    }),
  },
  fc.record({
    method: fc.constant('load' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    options: fc.oneof(fc.record({ filters: anyValue, sort }, { requiredKeys: [] }), anyValue),
  }),
  fc.record({
    method: fc.constant('list' as const),
    type: typeName,
    options: fc.oneof(fc.record({ sort, limit: anyNumber }, { requiredKeys: [] }), anyValue),
  }),
);

type Generated = Record<string, unknown> & { method: string };

function driverCall(call: Generated): () => Promise<unknown> {
  if (call.method === 'query') return () => driver.query(loose(call.options));
  if (call.method === 'bulkOperation') return () => driver.bulkOperation(loose(call.operation));
  if (call.method === 'load') return () => driver.load(loose(call.type), loose(call.name), loose(call.options));
  return () => driver.list(loose(call.type), loose(call.options));
}

const serviceCalls = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      method: fc.constant('register' as const),
      type: typeName,
      record: fc.oneof({ weight: 2, arbitrary: validRecord }, { weight: 1, arbitrary: record }),
      options: fc.record(
        {
          principal,
          allowSystem: mostly(fc.boolean()),
          expectedEtag: fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom(undefined, undefined, undefined, null, '"v1"', '"v2"') },
            { weight: 1, arbitrary: fc.constantFrom('garbage', 'a\nb') },
            { weight: 1, arbitrary: anyValue },
          ),
          reason: mostly(fc.string({ maxLength: 20 }).filter((text) => !text.includes('\u0000'))),
        },
        { requiredKeys: ['principal'] },
      ),
    }),
  },
  fc.record({
    method: fc.constant('get' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    options: fc.record({ principal, owner: name, explain: anyValue }, { requiredKeys: ['principal'] }),
  }),
  fc.record({
    method: fc.constant('list' as const),
    type: typeName,
    options: fc.record({ principal, filters: anyValue, sort }, { requiredKeys: ['principal'] }),
  }),
  fc.record({
    method: fc.constant('unregister' as const),
    type: typeName,
    name: fc.oneof(knownName, name),
    options: fc.record({ principal, expectedEtag: anyValue, allowSystem: fc.boolean() }, { requiredKeys: ['principal'] }),
  }),
);

function serviceCall(call: Generated): () => Promise<unknown> {
  if (call.method === 'register') return () => service.register(loose(call.type), loose(call.record), loose(call.options));
  if (call.method === 'get') return () => service.get(loose(call.type), loose(call.name), loose(call.options));
  if (call.method === 'list') return () => service.list(loose(call.type), loose(call.options));
  return () => service.unregister(loose(call.type), loose(call.name), loose(call.options));
}

/** An accepted bulk write or register: every record it wrote loads back as given. */
async function loadsBack(records: { type: string; name: string; metadata?: unknown }[]): Promise<void> {
  for (const given of records) {
    if (given.metadata === undefined) continue;
    const { data } = await store.load(given.type, given.name, { cache: false });
    expect(data, `${given.type}/${given.name} loads back`).not.toBeNull();
    expectStoredAs(data!.metadata, given.metadata);
  }
}

describe('fuzz: the driver', () => {
  it(
    'queries, bulk operations and loads: only MetaledgerErrors, refusals write nothing, accepted bulk records load back',
    async () => {
      await fc.assert(
        fc.asyncProperty(driverCalls, async (call) => {
          const writes = call.method === 'bulkOperation';
          const generated = (call as Generated).operation;
          const operation = (typeof generated === 'object' && generated !== null ? generated : {}) as {
            operation?: string;
            records?: { type: string; name: string }[];
          };
          const outcome = await checkCall(database, tally, {
            label: `driver.${call.method}`,
            writes,
            run: driverCall(call),
            // without a transaction, the batches before a failing one stay written, and the error says which
            partialWrite: (error) => error instanceof BulkOperationError && error.written,
          });
          if (!writes || operation.operation === 'delete') return;
          const results = outcome.ok
            ? (outcome.value as { results: BulkRecordResult[] }).results
            : outcome.error instanceof BulkOperationError
              ? outcome.error.results
              : [];
          await loadsBack(
            results.filter((result) => result.ok && result.action !== 'unchanged').map((result) => operation.records![result.index]),
          );
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeout(500),
  );
});

describe('fuzz: the service', () => {
  it(
    'register, get, list, unregister as generated principals: only MetaledgerErrors, refusals write nothing, accepted records load back',
    async () => {
      await fc.assert(
        fc.asyncProperty(serviceCalls, async (call) => {
          const writes = call.method === 'register' || call.method === 'unregister';
          const outcome = await checkCall(database, tally, { label: `service.${call.method}`, writes, run: serviceCall(call) });
          if (outcome.ok && call.method === 'register' && !(outcome.value as { skipped?: boolean }).skipped) {
            await loadsBack([{ ...(call.record as { name: string; metadata: unknown }), type: call.type as string }]);
          }
        }),
        fuzzParameters(500),
      );
    },
    fuzzTimeout(500),
  );

  it('verify() stays ok after all of it', async () => {
    const report = await store.verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
