import fc from 'fast-check';
import { nonCanonicalVariants } from './name-variants.js';

/**
 * Generators of what a hostile (or careless) caller passes: JSON and values that only look like JSON,
 * names in every spelling, filters, sorts, pages and moments, valid and not.
 */

/** Object keys that have tripped JavaScript code before, mixed into the ordinary ones. */
const trickyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  'a.b',
  '/',
  '~1',
  '$eq',
  'k\u0000',
  '\uD800',
);

const ordinaryKey = fc.string({ unit: 'binary', maxLength: 8 });
const key = fc.oneof({ weight: 5, arbitrary: ordinaryKey }, { weight: 1, arbitrary: trickyKey });

/**
 * JSON-shaped values with tricky keys (`__proto__` as an own property, as JSON.parse makes it; keys with
 * a NUL or a lone surrogate), so not all of them are storable.
 */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [name, value] of entries)
        Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
      return object;
    }),
  ),
})).value;

class Thing {
  field = 1;
}

function cyclic(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = { back: value };
  return value;
}

function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Values JSON cannot hold faithfully, or that cannot be read safely. */
export const nonJsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity),
  fc.bigInt().map((value) => value),
  fc.string().map((description) => Symbol(description)),
  fc.constant(() => 1),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
  fc.constant(new Map([['a', 1]])),
  fc.constant(new Set([1])),
  fc.constant(new Thing()),
  fc.constant(new Uint8Array([1, 2])),
  fc.constant(/regex/),
  fc.constant(new Error('boom')),
  fc.constant(Promise.resolve(1)),
  fc.constant(new String('boxed')),
  fc.string({ maxLength: 6 }).map((text) => `${text}\u0000${text}`),
  fc.constantFrom('\uD800', 'a\uDC00b', '\uDBFF'),
  fc.constant(null).map(() => cyclic()),
  fc.integer({ min: 65, max: 20_000 }).map((levels) => deep(levels)),
  fc.constant(null).map(() => ({ [Symbol('s')]: 1 })),
  fc.constant(null).map(() =>
    Object.defineProperty({}, 'trap', {
      enumerable: true,
      get() {
        throw new Error('getter says no');
      },
    }),
  ),
  fc.constant(null).map(
    () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('proxy says no');
          },
        },
      ),
  ),
  // eslint-disable-next-line no-sparse-arrays
  fc.constant(null).map(() => [1, , 3]),
  fc.constant(null).map(() => Object.create({ inherited: true })),
);

/** JSON with, somewhere inside, one value that is not. */
export const nonJsonValue: fc.Arbitrary<unknown> = fc
  .tuple(jsonValue, nonJsonLeaf, fc.array(key, { maxLength: 3 }))
  .map(([json, leaf, path]) => {
    const root: Record<string, unknown> = { base: json };
    let node = root;
    for (const name of path.filter((part) => part !== '__proto__')) {
      const child: Record<string, unknown> = {};
      node[name] = child;
      node = child;
    }
    node.leaf = leaf;
    return root;
  });

/** Either, mostly JSON. */
export const anyValue = fc.oneof({ weight: 3, arbitrary: jsonValue }, { weight: 2, arbitrary: nonJsonValue });

const canonicalName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/);

/** Names in every spelling: canonical, look-alikes, any Unicode, too long, not strings. */
export const name: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: canonicalName },
  { weight: 2, arbitrary: fc.tuple(canonicalName, fc.constantFrom(...nonCanonicalVariants)).map(([text, variant]) => variant.of(text)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'a/b', 'a\\b', 'x'.repeat(256), '\uD800', 'Account', 'ACCOUNT', 'account') },
  { weight: 1, arbitrary: nonJsonLeaf },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant({}), fc.constant(['a'])) },
);

/** A small set of canonical names, so generated calls meet items earlier calls created. */
export const knownName = fc.constantFrom('account', 'lead', 'opportunity', 'case', 'contact');

export const typeName: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('object', 'view') },
  { weight: 2, arbitrary: name },
);

const storableText = fc.string({ unit: 'binary', maxLength: 12 }).filter((text) => !text.includes('\u0000'));
const storableKey = fc.oneof(
  { weight: 6, arbitrary: storableText },
  { weight: 1, arbitrary: fc.constantFrom('constructor', 'prototype', 'toString', '', 'a.b', '/', '~1', '$eq') },
);

/** JSON a store accepts: what an accepted save must give back deep-equal. */
export const storableJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    storableText,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(storableKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

export const validRecord = fc.record(
  {
    name: fc.oneof({ weight: 3, arbitrary: knownName }, { weight: 1, arbitrary: canonicalName }),
    metadata: fc.dictionary(storableKey, storableJson, { maxKeys: 5 }),
    namespace: fc.constantFrom('default', 'crm'),
    scope: fc.constantFrom('system', 'platform', 'user'),
    owner: fc.constantFrom('alice', 'bob'),
    extends: knownName,
    state: fc.constantFrom('draft', 'active', 'deprecated'),
    strategy: fc.constantFrom('merge', 'replace'),
  },
  { requiredKeys: ['name', 'metadata'] },
);

const hostileField = fc.constantFrom(
  'name',
  'metadata',
  'namespace',
  'scope',
  'owner',
  'extends',
  'state',
  'strategy',
  'version',
  'type',
  'id',
);

/** A record around a payload: mostly well-formed, often with one field (or one value deep inside) hostile. */
export const record: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: validRecord },
  {
    weight: 3,
    arbitrary: fc.tuple(validRecord, hostileField, fc.oneof(name, anyValue)).map(([valid, field, value]) => ({ ...valid, [field]: value })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(validRecord, nonJsonValue).map(([valid, payload]) => ({ ...valid, metadata: { ...valid.metadata, payload } })),
  },
  { weight: 1, arbitrary: anyValue },
);

const number = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
  fc.integer({ min: -2, max: 50 }),
  fc.constantFrom(0, 1, 2 ** 31, 2 ** 53, 2 ** 60, 1e20, 1e21, -1, 1.5, NaN, Infinity, -0),
);

const instant = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }) },
  fc.date({ noInvalidDate: false }),
  fc.constantFrom('2024-01-31T12:00:00Z', 'garbage', '', 'yesterday', '99999-01-01', '0000-01-01T00:00:00Z', '\u0000'),
  fc.string({ maxLength: 30 }),
  number,
);

/** Moments for getAt: valid and not. */
export const moment: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }).map((version) => ({ version })) },
  number.map((version) => ({ version })),
  number.map((position) => ({ position })),
  instant.map((asOf) => ({ asOf })),
  fc.constant(null),
  fc.constant({}),
  anyValue,
  fc.record({ version: number, position: number }),
);

const likePattern = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\\', 'a\\', '%\\\\', '_%', 'a\\\\\\'));

const condition: fc.Arbitrary<unknown> = fc.oneof(
  anyValue,
  fc.record(
    {
      $eq: anyValue,
      $ne: anyValue,
      $gt: fc.oneof(number, fc.string({ maxLength: 4 })),
      $in: fc.array(anyValue, { maxLength: 3 }),
      $exists: fc.oneof(fc.boolean(), anyValue),
      $contains: anyValue,
      $like: likePattern,
      $bogus: anyValue,
    },
    { requiredKeys: [] },
  ),
);

const path = fc.oneof(fc.constantFrom('label', 'fields.amount', '/fields/0', 'a-b_c'), fc.string({ unit: 'binary', maxLength: 10 }));

/** Query filters: the protocol's fields with values valid and not, and custom conditions on arbitrary paths. */
export const filters: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        scope: fc.constantFrom('system', 'platform', 'user'),
        namespace: fc.constantFrom('default', 'crm'),
        owner: fc.constantFrom('alice', 'bob'),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        type: fc.oneof(typeName, fc.array(typeName, { maxLength: 3 })),
        name: fc.oneof(name, fc.array(name, { maxLength: 3 })),
        namespace: fc.oneof(name, fc.array(name, { maxLength: 2 })),
        scope: fc.oneof(fc.constantFrom('system', 'platform', 'user'), anyValue),
        state: fc.oneof(fc.constantFrom('active', 'archived'), anyValue),
        owner: name,
        custom: fc.dictionary(path, condition, { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
);

const sortField = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('name', 'type', 'version', 'updatedAt', 'metadata.label', 'metadata.a-b') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const sortOrder = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('asc', 'desc') }, { weight: 1, arbitrary: anyValue });

export const sort: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.record({ field: sortField, order: sortOrder }), { maxLength: 3 }) },
  { weight: 1, arbitrary: anyValue },
);

/** Mostly what a caller would give, sometimes anything. */
export const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyValue });

export const queryOptions: fc.Arbitrary<unknown> = fc.record(
  {
    filters: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record(
          {
            type: fc.constant('object'),
            custom: fc.dictionary(
              fc.constantFrom('v', 'label'),
              fc.oneof(storableJson, fc.record({ $gt: fc.integer() }), fc.record({ $like: likePattern })),
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 2, arbitrary: filters },
    ),
    sort,
    pagination: mostly(
      fc.record({
        page: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: number }),
        pageSize: fc.integer({ min: 1, max: 50 }),
      }),
    ),
    select: mostly(fc.array(fc.constantFrom('name', 'metadata', 'metadata.label', 'version'), { maxLength: 3 })),
    includeArchived: mostly(fc.boolean()),
  },
  { requiredKeys: [] },
);

export const historyOptions: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      { limit: fc.integer({ min: 1, max: 20 }), since: instant, kinds: fc.constant(['created', 'updated']) },
      { requiredKeys: [] },
    ),
  },
  fc.record({ limit: number, offset: number, since: instant, until: instant, actor: name, kinds: anyValue }, { requiredKeys: [] }),
  anyValue,
);

export const changesOptions: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ limit: fc.integer({ min: 1, max: 20 }), types: fc.constant(['object']), since: instant }, { requiredKeys: [] }),
  },
  fc.record(
    {
      since: instant,
      until: instant,
      actor: name,
      types: fc.array(typeName, { maxLength: 2 }),
      namespace: name,
      changeset: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
      limit: number,
      after: fc.oneof(fc.constantFrom('1:1', '99999999999999999999:1', '1:99999999999999999', 'x'), fc.string({ maxLength: 12 })),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

/** Who a service call claims to be: real principals, look-alikes, junk. */
export const principal: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      { id: 'alice', roles: [] },
      { id: 'root', roles: ['admin'] },
      { id: 'anonymous', roles: ['admin'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ id: name, roles: fc.oneof(fc.array(name, { maxLength: 2 }), anyValue) }) },
  { weight: 1, arbitrary: anyValue },
);

export const writeContext: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.record({ actor: name, reason: fc.oneof(fc.string(), anyValue), correlationId: name }, { requiredKeys: [] }) },
);

export { number as anyNumber, instant };
