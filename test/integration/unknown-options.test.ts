import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetadataService, createMetadataStore, FileLoader, MetadataDriver, type MetadataStore } from '../../src/index.js';
import { StrictMetadataRecordSchema } from '../../src/protocol/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

// An option a call does not take (a misspelt one, one of another call) is refused with VALIDATION naming
// it, and nothing is written: accepted and ignored, it would silently do something other than asked.
let database: TestDatabase;
let store: MetadataStore;
let driver: MetadataDriver;

beforeAll(async () => {
  database = await createTestDatabase('unknown_options');
  store = await database.open();
  driver = new MetadataDriver(store);
  await store.save('form', { name: 'present', metadata: { n: 1 } });
});
afterAll(() => database.dispose());

const eventCount = async () => (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM metadata_events'))[0].n;

/** Every option some call takes: a generated key is none of them, so no call may take it. */
const knownOptions = new Set(
  `actor reason correlationId source changesetId expectedVersion force itemsPerRound anchor every scope namespace raw cache useCache
   validate ifNoneMatch recursive limit patterns loader datasource filters sort format path prettify indent sortKeys backup atomic
   transaction onConflict pagination includeArchived type name state owner custom operation records batch continueOnError
   connectionString dataDir inMemory connectTimeoutMs acquireTimeoutMs schema configFile driver snapshotEvery projections
   groupCommit limits transactionPooling listenConnectionString enabled ttlSeconds invalidateOnWrite statementsInFlight
   eventsPerStatement definitions modes jobs batchSize debounceMs fields search`.split(/\s+/),
);
const unknownKey = fc
  .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('expectedVerison', 'ifNoneMach', 'namspace', 'dryrun', 'Actor'))
  .filter((key) => !knownOptions.has(key) && key !== '__proto__');
const anyValue = fc.jsonValue({ maxDepth: 2 });

/** A VALIDATION error with an issue at `key` (or at a path ending in it). */
function expectRefusedNaming(error: unknown, key: string): void {
  expect(error).toMatchObject({ code: 'VALIDATION' });
  const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
  expect(paths.some((path) => path === key || path.endsWith(`.${key}`))).toBe(true);
}

/** One call with `extra` among its options. */
type Call = (extra: Record<string, unknown>) => Promise<unknown>;

const calls: [string, Call][] = [
  ['store.save options', (extra) => store.save('form', { name: 'written', metadata: {} }, extra)],
  ['store.update context', (extra) => store.update('form', 'present', () => ({ metadata: { n: 2 } }), extra)],
  ['store.archive context', (extra) => store.archive('form', 'present', extra)],
  ['store.delete options', (extra) => store.delete('form', 'present', extra)],
  ['store.defineType context', (extra) => store.defineType('gadget', { schema: { type: 'object' } }, extra)],
  ['store.migrateType context', (extra) => store.migrateType('form', extra)],
  ['store.load options', (extra) => store.load('form', 'present', extra)],
  ['store.verify options', (extra) => store.verify(extra)],
  ['store.compactSnapshots options', (extra) => store.compactSnapshots(extra)],
  ['driver.query options', (extra) => driver.query(extra)],
  ['driver.query filters', (extra) => driver.query({ filters: extra })],
  ['driver.list options', (extra) => driver.list('form', extra)],
  ['driver.loadTypes options', (extra) => driver.loadTypes(['form'], extra)],
  ['driver.load options', (extra) => driver.load('form', 'present', { filters: { namespace: 'default' }, ...extra })],
  [
    'driver.bulkOperation operation',
    (extra) => driver.bulkOperation({ operation: 'create', records: [{ type: 'form', name: 'bulk', metadata: {} }], ...extra }),
  ],
  [
    'driver.bulkOperation context',
    (extra) => driver.bulkOperation({ operation: 'create', records: [{ type: 'form', name: 'bulk', metadata: {} }] }, extra),
  ],
];

describe('an option a call does not take', () => {
  it.each(calls)('%s: refused with VALIDATION naming it, nothing written', async (_, call) => {
    await fc.assert(
      fc.asyncProperty(unknownKey, anyValue, async (key, value) => {
        const before = await eventCount();
        const error = await call({ [key]: value }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectRefusedNaming(error, key);
        expect(await eventCount()).toBe(before);
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    ['top level', (extra: Record<string, unknown>) => extra],
    ['cache', (extra: Record<string, unknown>) => ({ cache: extra })],
    ['groupCommit', (extra: Record<string, unknown>) => ({ groupCommit: extra })],
    ['projections', (extra: Record<string, unknown>) => ({ projections: extra })],
    ['driver', (extra: Record<string, unknown>) => ({ driver: extra })],
    ['driver.performance', (extra: Record<string, unknown>) => ({ driver: { performance: extra } })],
  ])('createMetadataStore, %s: refused before any database is opened', async (_, options) => {
    await fc.assert(
      fc.asyncProperty(unknownKey, anyValue, async (key, value) => {
        const error = await createMetadataStore({ inMemory: true, configFile: false, ...options({ [key]: value }) }).then(
          (opened) => opened.close(),
          (e: unknown) => e,
        );
        expectRefusedNaming(error, key);
      }),
      { numRuns: 10 },
    );
  });
});

describe('a record field the record schema does not know', () => {
  // the item's own data goes in metadata: a field beside it (a forgotten wrapper, a misspelt field) was dropped
  const recordFields = new Set(Object.keys(StrictMetadataRecordSchema.shape));
  const unknownField = fc
    .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('label', 'fields', 'nmespace', 'Metadata', 'description'))
    .filter((key) => !recordFields.has(key) && key !== '__proto__');
  const root = { id: 'root', roles: ['admin'] };
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'metaledger-unknown-fields-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const writers: [string, (record: Record<string, unknown>) => Promise<unknown>][] = [
    ['store.save', (record) => store.save('form', record as never)],
    [
      'driver.bulkOperation upsert',
      (record) => driver.bulkOperation({ operation: 'upsert', records: [{ type: 'form', ...record }] as never }),
    ],
    ['service.register', (record) => createMetadataService({ store }).register('form', record as never, { principal: root })],
    ['file loader save', (record) => new FileLoader({ root: directory }).save('form', record as never)],
  ];

  it.each(writers)('%s: refused with VALIDATION naming the field, nothing written', async (_, write) => {
    await fc.assert(
      fc.asyncProperty(unknownField, anyValue, async (field, value) => {
        const before = await eventCount();
        const error = await write({ name: 'fielded', metadata: { kept: true }, [field]: value }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectRefusedNaming(error, field);
        expect(await eventCount()).toBe(before);
        expect(await readdir(directory)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
