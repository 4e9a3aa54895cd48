import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  MetadataDatasourceConfigSchema,
  MetadataDriverConfigSchema,
  MetadataLoaderContractSchema,
  MetadataMigrationOperationSchema,
  MetadataRecordSchema,
  MetadataSaveOptionsSchema,
  StrictMetadataDatasourceConfigSchema,
  StrictMetadataDriverConfigSchema,
  StrictMetadataLoaderContractSchema,
  StrictMetadataMigrationOperationSchema,
  StrictMetadataRecordSchema,
  StrictMetadataSaveOptionsSchema,
} from '../../src/protocol/index.js';

/*
 * The strict layer never changes what the protocol parses: for every input both accept, each value the
 * protocol parse gives is the value the strict parse gives. (The strict layer may refuse more — the
 * checks of docs/protocol-compatibility.md — and add metaledger's own fields and the defaults of
 * sections left out, such as a driver config's datasource.)
 */

// Plausible and hostile values for any field: the strict layer must never turn one into another value.
const value = fc.oneof(
  fc.constantFrom('', ' padded ', 'a/b', 'ok_name', 'Mixed-Case', 'x'.repeat(300), '2024-01-31T12:00:00Z', 'json', 'yml', 'ts'),
  fc.constantFrom('create', 'alter', 'drop', 'read_committed', 'serializable', 'update', 'skip', 'database:', 'file:', 'git:'),
  fc.integer({ min: -5, max: 20_000 }),
  fc.double({ noNaN: true, min: -10, max: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
/** A field: mostly a value that fits it, sometimes any value at all. */
const field = (...fitting: unknown[]) => fc.oneof({ arbitrary: fc.constantFrom(...fitting), weight: 3 }, { arbitrary: value, weight: 1 });
const bool = field(true, false);
const text = field('name_a', 'other', '');
const record = (fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) => fc.record(fields, { requiredKeys });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const pairs: [string, z.ZodTypeAny, z.ZodTypeAny, fc.Arbitrary<unknown>][] = [
  [
    'record',
    MetadataRecordSchema,
    StrictMetadataRecordSchema,
    record(
      {
        id: text,
        name: field('account', 'lead_form', ' padded ', 'a/b'),
        type: field('object', 'view'),
        namespace: text,
        scope: field('system', 'platform', 'user'),
        extends: text,
        strategy: field('merge', 'replace'),
        owner: text,
        state: field('draft', 'active'),
        createdAt: field('2024-01-31T12:00:00Z', '2024-01-31T12:00:00+02:00'),
        version: field(0, 3, -1, 1.5),
        metadata: fc.oneof(fc.constant({}), fc.dictionary(fc.string(), value), value),
      },
      ['name', 'type', 'metadata'],
    ),
  ],
  [
    'driver config',
    MetadataDriverConfigSchema,
    StrictMetadataDriverConfigSchema,
    record({
      datasource: field('main_db'),
      tableSchema: maybe(record({ name: field('meta', 'bad-name'), schema: field('public'), primaryKey: field('id') })),
      migration: maybe(record({ autoMigrate: bool, dropOnMigrate: bool, backupBeforeMigrate: bool })),
      performance: maybe(
        record({
          batchSize: field(1, 100, 0, 2.5),
          enableCache: bool,
          cacheTtlSeconds: field(0, 60),
          prefetchOnInit: bool,
          parallelLoad: bool,
        }),
      ),
      transaction: maybe(
        record({
          defaultIsolation: field('read_committed', 'serializable'),
          timeout: field(1000, 0),
          retryOnConflict: bool,
          maxRetries: field(0, 3, 101),
        }),
      ),
      query: maybe(
        record({ useIndexes: bool, maxResultSize: field(10, 10_000), enablePagination: bool, defaultPageSize: field(1, 50, 1001) }),
      ),
    }),
  ],
  [
    'migration operation',
    MetadataMigrationOperationSchema,
    StrictMetadataMigrationOperationSchema,
    record({
      type: field('create', 'alter', 'drop'),
      table: field('meta', 'x; drop'),
      script: field('SELECT 1', ''),
      rollbackScript: field('SELECT 2'),
      dryRun: bool,
    }),
  ],
  [
    'save options',
    MetadataSaveOptionsSchema,
    StrictMetadataSaveOptionsSchema,
    record({
      format: field('json', 'yml', 'ts'),
      create: bool,
      overwrite: bool,
      path: field('a/b.json', ''),
      prettify: bool,
      indent: field(2, 4, 11, 1.5),
      sortKeys: bool,
      backup: bool,
      atomic: bool,
      onConflict: field('update', 'skip', 'error', 'replace'),
      transaction: maybe(record({ enabled: bool, isolationLevel: field('read_committed', 'serializable') })),
    }),
  ],
  [
    'datasource config',
    MetadataDatasourceConfigSchema,
    StrictMetadataDatasourceConfigSchema,
    record({
      datasource: field('main_db', 'Main-DB'),
      table: field('meta', 'bad-name'),
      schema: field('public'),
      autoMigrate: bool,
      cache: maybe(record({ enabled: bool, ttlSeconds: field(0, 60, -1), invalidateOnWrite: bool })),
      queryOptions: maybe(record({ batchSize: field(1, 100, 0), useIndexes: bool, parallelLoad: bool })),
    }),
  ],
  [
    'loader contract',
    MetadataLoaderContractSchema,
    StrictMetadataLoaderContractSchema,
    record(
      {
        name: field('files', ''),
        protocol: field('file:', 'database:', 'git:'),
        description: text,
        supportsWrite: bool,
        supportsWatch: bool,
        capabilities: maybe(record({ read: bool, write: bool, watch: bool, list: bool })),
      },
      ['name', 'protocol'],
    ),
  ],
];

/** A key given as undefined is a key left out (JSON has no undefined). */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : [[key, withoutUndefined(inner)]])));
}

describe('the strict layer refuses more, never changes what the protocol parses', () => {
  it.each(pairs)('%s', (_what, protocol, strict, input) => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (candidate) => {
        const strictly = strict.safeParse(candidate);
        const protocolParse = protocol.safeParse(candidate);
        if (!strictly.success || !protocolParse.success) return;
        accepted++;
        expect(strictly.data).toMatchObject(withoutUndefined(protocolParse.data) as object);
      }),
      { numRuns: 3000 },
    );
    // the property was exercised on inputs both accept, not vacuously true
    expect(accepted).toBeGreaterThan(0);
  });
});
