import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { storeState } from './helpers/store-state.js';

/**
 * Regressions of "input that is not JSON is silently changed or reaches the database raw": each value
 * below was changed on its way in (NaN became null, a Map {}, …) or failed with an error that was not a
 * MetaledgerError. Now each is VALIDATION naming its path, and nothing is written.
 */
let database: TestDatabase;
let store: MetadataStore;
let driver: MetadataDriver;
let service: MetadataService;

const root = { id: 'root', roles: ['admin'] };

beforeAll(async () => {
  database = await createTestDatabase('json_input');
  store = await database.open();
  driver = new MetadataDriver(store);
  service = createMetadataService({ store });
  await store.save('object', { name: 'account', metadata: { v: 1 } });
});
afterAll(() => database.dispose());

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

function cycle(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

const withProtoKey = (json: string) => JSON.parse(json) as Record<string, unknown>;

/** [label, metadata payload, path of the problem] */
const payloads: [string, () => unknown, string][] = [
  ['NaN', () => ({ amount: NaN }), 'metadata.amount'],
  ['Infinity', () => ({ limit: Infinity }), 'metadata.limit'],
  ['-Infinity in an array', () => ({ values: [1, -Infinity] }), 'metadata.values.1'],
  ['a Map', () => ({ lookup: new Map([['a', 1]]) }), 'metadata.lookup'],
  ['a Set', () => ({ tags: new Set(['a']) }), 'metadata.tags'],
  ['a function', () => ({ compute: () => 1 }), 'metadata.compute'],
  ['a Symbol', () => ({ marker: Symbol('x') }), 'metadata.marker'],
  ['a BigInt', () => ({ big: 10n ** 30n }), 'metadata.big'],
  ['a Date', () => ({ at: new Date(0) }), 'metadata.at'],
  ['a class instance', () => ({ thing: new (class Thing {})() }), 'metadata.thing'],
  ['undefined in an array', () => ({ list: [1, undefined] }), 'metadata.list.1'],
  ['a hole in an array', () => ({ list: [1, , 3] }), 'metadata.list.1'], // eslint-disable-line no-sparse-arrays
  ['a cycle', cycle, 'metadata.self'],
  ['a NUL character', () => ({ label: 'a\u0000b' }), 'metadata.label'],
  ['a NUL character in a key', () => ({ ['k\u0000']: 1 }), 'metadata.k\u0000'],
  ['a lone high surrogate', () => ({ label: 'x\uD800' }), 'metadata.label'],
  ['a lone low surrogate in a key', () => ({ ['\uDC00']: 1 }), 'metadata.\uDC00'],
  ['10,000-deep nesting', () => deep(10_000), '(root)'],
  ['a Symbol key', () => ({ [Symbol('hidden')]: 1, shown: 2 }), 'metadata'],
];

async function refusal(call: () => Promise<unknown>) {
  const outcome = await call().then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(outcome, 'the call must be refused').not.toBe('resolved');
  expect(isMetaledgerError(outcome), `not a MetaledgerError: ${String(outcome)}`).toBe(true);
  return outcome as { code: string; issues?: { path: string; message: string }[] };
}

describe.each(payloads)('a payload with %s', (_label, payload, path) => {
  it.each([
    ['store.save', () => store.save('object', { name: 'x', metadata: payload() as Record<string, unknown> })],
    ['store.update', () => store.update('object', 'account', (current) => ({ ...current, metadata: payload() as never }))],
    [
      'driver.bulkOperation',
      () => driver.bulkOperation({ operation: 'upsert', records: [{ type: 'object', name: 'x', metadata: payload() as never }] }),
    ],
    ['service.register', () => service.register('object', { name: 'x', metadata: payload() as never }, { principal: root })],
  ])('is refused by %s with VALIDATION at its path, writing nothing', async (entry, call) => {
    const before = await storeState(database);
    const error = await refusal(call);
    expect(error.code).toBe('VALIDATION');
    const prefix = entry === 'driver.bulkOperation' ? 'records.0.' : '';
    const expected = path === '(root)' ? expect.any(String) : `${prefix}${path}`;
    expect(error.issues?.map((issue) => issue.path)).toContainEqual(expected);
    expect(await storeState(database)).toEqual(before);
  });
});

describe('an own __proto__ key, as JSON.parse makes one, is data', () => {
  it.each([
    ['store.save', (name: string, metadata: unknown) => store.save('object', { name, metadata: metadata as Record<string, unknown> })],
    [
      'driver.bulkOperation',
      (name: string, metadata: unknown) =>
        driver.bulkOperation({ operation: 'upsert', records: [{ type: 'object', name, metadata: metadata as never }] }),
    ],
    [
      'service.register',
      (name: string, metadata: unknown) => service.register('object', { name, metadata: metadata as never }, { principal: root }),
    ],
  ])('%s keeps it as a member and never as a prototype', async (entry, write) => {
    const name = `proto-${entry.replace('.', '-')}`;
    await write(name, withProtoKey('{"__proto__":{"x":1},"a":{"__proto__":{"polluted":true}}}'));
    const { metadata } = (await store.load('object', name, { cache: false })).data!;
    for (const object of [metadata, metadata.a as object]) {
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.keys(object)).toContain('__proto__');
    }
    expect(metadata).toEqual(withProtoKey('{"__proto__":{"x":1},"a":{"__proto__":{"polluted":true}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('values that are not even records', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'record'],
    ['a Map', new Map()],
  ])('a record that is %s', async (_label, record) => {
    const before = await storeState(database);
    expect(await refusal(() => store.save('object', record as never))).toMatchObject({ code: 'VALIDATION' });
    expect(await storeState(database)).toEqual(before);
  });
});

describe('moments, pages and patterns the database cannot take', () => {
  it.each([
    ['getAt(null)', () => store.getAt('object', 'account', null as never)],
    ['getAt({ position: 1e20 })', () => store.getAt('object', 'account', { position: 1e20 })],
    ['getAt({ version: 2^40 })', () => store.getAt('object', 'account', { version: 2 ** 40 })],
    ['getAt({ asOf: "yesterday-ish" })', () => store.getAt('object', 'account', { asOf: 'yesterday-ish' })],
    ['getAt({ asOf: new Date(-8.64e15) })', () => store.getAt('object', 'account', { asOf: new Date(-8.64e15) })],
    ['history({ since: "not a date" })', () => store.history('object', 'account', { since: 'not a date' })],
    ['history({ offset: 1e21 })', () => store.history('object', 'account', { offset: 1e21 })],
    ['changes({ since: "garbage" })', () => store.changes({ since: 'garbage' })],
    ['changes({ after: "1:99999999999999999999" })', () => store.changes({ after: '1:99999999999999999999' })],
    ['changes({ actor: "a\\u0000" })', () => store.changes({ actor: 'a\u0000' })],
    ['diff(…, NaN, 1)', () => store.diff('object', 'account', NaN, 1)],
    ['restore({ position: 1e20, dryRun })', () => store.restore({ position: 1e20, dryRun: true })],
    ['prune({ before: "nope" })', () => store.prune({ before: 'nope' })],
    ['rollback(…, 1.5)', () => store.rollback('object', 'account', 1.5)],
    ['query page 2^60', () => driver.query({ pagination: { page: 2 ** 60, pageSize: 100 } })],
    ["query $like '\\'", () => driver.query({ filters: { custom: { label: { $like: '\\' } } } })],
    ['query $eq "a\\u0000"', () => driver.query({ filters: { custom: { label: { $eq: 'a\u0000' } } } })],
    ['query name "\\uD800"', () => driver.query({ filters: { name: '\uD800' } })],
    ['list namespace "\\u0000"', () => store.list('object', { namespace: '\u0000' })],
    ['save with reason "\\u0000"', () => store.save('object', { name: 'r', metadata: {} }, { reason: 'why\u0000' })],
    ['save with actor 10,000 characters', () => store.save('object', { name: 'r', metadata: {} }, { actor: 'a'.repeat(10_000) })],
    // found by the fuzzer: options that are null, and a message that called the value's own toString
    ['load(…, null)', () => store.load('object', 'account', null as never)],
    ['delete(…, null)', () => store.delete('object', 'account', null as never)],
    [
      'save of a record whose type is { toString: {} }',
      () => store.save('object', { name: 'r', type: { toString: {} }, metadata: {} } as never),
    ],
  ])('%s is VALIDATION', async (_label, call) => {
    const before = await storeState(database);
    expect(await refusal(call)).toMatchObject({ code: 'VALIDATION' });
    expect(await storeState(database)).toEqual(before);
  });

  it('a $like pattern with an escaped backslash is fine', async () => {
    await expect(driver.query({ filters: { custom: { label: { $like: 'a\\\\' } } } })).resolves.toMatchObject({ records: [] });
  });
});

describe('limits set with createMetadataStore({ limits }) hold at every entry', () => {
  let limited: TestDatabase;
  let small: MetadataStore;
  beforeAll(async () => {
    limited = await createTestDatabase('json_limits');
    small = await limited.open({ limits: { maxDepth: 4, maxKeys: 20, maxBytes: 400 } });
  });
  afterAll(() => limited.dispose());

  const within = { name: 'fits', metadata: { a: { b: [1, 2] }, text: 'x'.repeat(100) } };
  it.each([
    ['maxBytes', { name: 'big', metadata: { text: 'x'.repeat(500) } }, 'limits.maxBytes'],
    ['maxKeys', { name: 'wide', metadata: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i])) }, 'limits.maxKeys'],
    ['maxDepth', { name: 'deep', metadata: { a: { b: { c: { d: {} } } } } }, 'limits.maxDepth'],
  ])('%s', async (_limit, record, message) => {
    const before = await storeState(limited);
    const entries = [
      () => small.save('object', record),
      () => new MetadataDriver(small).bulkOperation({ operation: 'upsert', records: [{ type: 'object', ...record }] }),
      () => createMetadataService({ store: small }).register('object', record, { principal: root }),
    ];
    for (const call of entries) {
      const error = await refusal(call);
      expect(error).toMatchObject({ code: 'VALIDATION' });
      expect(error.issues?.map((issue) => issue.message).join()).toContain(message);
    }
    expect(await storeState(limited)).toEqual(before);
    await expect(small.save('object', within)).resolves.toMatchObject({ success: true });
  });

  it('a limit that makes no sense is refused when the store opens', async () => {
    await expect(
      createTestDatabase('json_bad_limits').then((db) => db.open({ limits: { maxDepth: 0 } }).finally(() => db.dispose())),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
