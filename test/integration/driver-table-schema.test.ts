import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import type { CreateMetadataStoreOptions } from '../../src/index.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, sqlOf } from './driver-fixtures.js';

let fixtures: DriverFixtures;
let driver: MetadataDriver;
// PGlite is a fresh database per file; on the shared PostgreSQL a suffix keeps parallel runs apart
const crm = process.env.METALEDGER_TEST_BACKEND === 'pglite' ? 'crm_meta' : `crm_meta_${randomBytes(3).toString('hex')}`;

const crmTable = (extra: object = {}): CreateMetadataStoreOptions => ({
  driver: {
    tableSchema: {
      name: 'metadata',
      schema: crm,
      primaryKey: 'id',
      columnMapping: { id: 'metadata_id', name: 'metadata_name', type: 'metadata_type' },
      indexes: [
        { name: 'crm_type_name', fields: ['type', 'name'], unique: true },
        { name: 'crm_owner_hash', fields: ['owner'], type: 'hash' },
        { name: 'crm_metadata_gin', fields: ['metadata'], type: 'gin' },
        { name: 'crm_name_words', fields: ['metadata_name'], type: 'gist' },
        { name: 'crm_namespace_state', fields: ['namespace', 'state'] },
      ],
    },
    ...extra,
  },
});

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_table'));
  driver = await fixtures.shared(crmTable());
});
afterAll(async () => {
  if (fixtures.database.backend === 'postgres') await sqlOf(driver, `DROP SCHEMA IF EXISTS "${crm}" CASCADE`);
  await fixtures.dispose();
});

const columnsOf = async (schema: string, table: string) =>
  (
    await sqlOf<{ column_name: string }>(
      driver,
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, table],
    )
  ).map((c) => c.column_name);

describe(`a projection at ${crm}.metadata with mapped columns`, () => {
  it('has the mapped columns, the primary key on metadata_id and the configured indexes', async () => {
    expect(await columnsOf(crm, 'metadata')).toEqual([
      'metadata_id',
      'metadata_name',
      'metadata_type',
      'namespace',
      'scope',
      'metadata',
      'extends',
      'strategy',
      'owner',
      'state',
      'created_by',
      'created_at',
      'updated_by',
      'updated_at',
      'version',
    ]);
    const indexes = Object.fromEntries(
      (
        await sqlOf<{ indexname: string; indexdef: string }>(
          driver,
          'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
          [crm, 'metadata'],
        )
      ).map((i) => [i.indexname, i.indexdef]),
    );
    expect(indexes.metadata_pkey).toMatch(/UNIQUE INDEX .* USING btree \(metadata_id\)/);
    expect(indexes.metadata_type_name_key).toMatch(/UNIQUE INDEX .* USING btree \(metadata_type, metadata_name\)/);
    expect(indexes.crm_type_name).toMatch(/UNIQUE INDEX .* USING btree \(metadata_type, metadata_name\)/);
    expect(indexes.crm_owner_hash).toMatch(/USING hash \(owner\)/);
    expect(indexes.crm_metadata_gin).toMatch(/USING gin \(metadata\)/);
    expect(indexes.crm_name_words).toMatch(/USING gist \(to_tsvector\('simple'::regconfig, \(metadata_name\)::text\)\)/);
    expect(indexes.crm_namespace_state).toMatch(/USING btree \(namespace, state\)/);
    for (const name of ['metadata_namespace_idx', 'metadata_type_idx', 'metadata_scope_idx', 'metadata_state_idx'])
      expect(indexes[name]).toBeDefined();
    expect(indexes.metadata_metadata_idx).toMatch(/USING gin \(metadata jsonb_path_ops\)/);
  });

  it('save, load, query, delete and bulk work through the same API; rows land in the mapped table', async () => {
    const { store } = driver;
    await store.save('object', { name: 'account', namespace: 'crm', metadata: { label: 'Account', tags: ['core'] } }, { actor: 'alice' });
    await store.save('object', { name: 'account', namespace: 'crm', metadata: { label: 'Customer' } }, { actor: 'bob' });
    expect((await driver.load('object', 'account', { cache: false })).data).toMatchObject({
      type: 'object',
      name: 'account',
      version: 2,
      metadata: { label: 'Customer' },
      createdBy: 'alice',
      updatedBy: 'bob',
    });
    const [row] = await sqlOf<Record<string, unknown>>(
      driver,
      `SELECT metadata_id, metadata_name, metadata_type, version FROM "${crm}".metadata`,
    );
    expect(row).toMatchObject({ metadata_name: 'account', metadata_type: 'object', version: 2 });
    expect(row.metadata_id).toEqual((await driver.load('object', 'account')).data?.id);

    const bulk = await driver.bulkOperation({
      operation: 'upsert',
      records: [
        { type: 'view', name: 'v1', metadata: { of: 'account' } },
        { type: 'view', name: 'v2', metadata: { of: 'contact' } },
      ],
      batch: { size: 1 },
      transactional: false,
    });
    expect(bulk.totals.created).toBe(2);
    const found = await driver.query({
      filters: { type: 'view', custom: { of: 'account' } },
      sort: [{ field: 'name', order: 'desc' }],
      select: ['id', 'name', 'type'],
    });
    expect(found.records).toEqual([{ id: expect.any(String), name: 'v1', type: 'view' }]);
    expect(
      (
        await driver.query({
          sort: [
            { field: 'type', order: 'desc' },
            { field: 'name', order: 'desc' },
          ],
        })
      ).records.map((r) => r.name),
    ).toEqual(['v2', 'v1', 'account']);
    expect((await driver.list('view')).map((r) => r.name)).toEqual(['v1', 'v2']);

    await store.delete('view', 'v2');
    await driver.bulkOperation({ operation: 'delete', records: [{ type: 'view', name: 'v1' }] });
    expect(await sqlOf(driver, `SELECT metadata_name FROM "${crm}".metadata ORDER BY 1`)).toEqual([{ metadata_name: 'account' }]);
    // the log and its API are the same as with the default table, which stays empty
    expect((await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM metadata_events'))[0].n).toBe(6);
    expect((await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM _framework_metadata'))[0].n).toBe(0);
  });

  it('migrations target the mapped table; create with dropOnMigrate rebuilds it from the log', async () => {
    const result = await driver.migrate({
      type: 'alter',
      table: 'metadata',
      script: `ALTER TABLE "${crm}".metadata ADD COLUMN color text`,
    });
    expect(result).toMatchObject({ table: `${crm}.metadata`, outcome: 'succeeded' });
    expect(await columnsOf(crm, 'metadata')).toContain('color');
    await expect(driver.migrate({ type: 'alter', table: '_framework_metadata', script: 'SELECT 1' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await sqlOf(driver, `DELETE FROM "${crm}".metadata`);
    const rebuilt = await new MetadataDriver(driver.store, { migration: { dropOnMigrate: true } }).migrate({
      type: 'create',
      table: 'metadata',
    });
    expect(rebuilt.rebuilt).toBe(1);
    expect((await driver.load('object', 'account')).data).toMatchObject({
      metadata: { label: 'Customer' },
      createdBy: 'alice',
      updatedBy: 'bob',
      version: 2,
    });
    expect(await columnsOf(crm, 'metadata')).not.toContain('color');
  });

  it.skipIf(process.env.METALEDGER_TEST_BACKEND === 'pglite')('a store switched to a new table finds it filled from the log', async () => {
    const other = await fixtures.shared({ driver: { tableSchema: { name: 'projection_two', columnMapping: { name: 'item_name' } } } });
    expect((await other.load('object', 'account')).data).toMatchObject({ metadata: { label: 'Customer' }, version: 2 });
    expect(await columnsOf(fixtures.database.schema, 'projection_two')).toContain('item_name');
  });
});

describe('bad table schemas', () => {
  it('refuse with a VALIDATION error naming each problem, before touching the database', async () => {
    const cases: [object, string][] = [
      [{ name: 'metadata; DROP TABLE metadata_events' }, 'driver config'],
      [{ schema: 'crm"meta' }, 'driver config'],
      [{ columnMapping: { name: 'metadata_name"; --' } }, 'driver config'],
      [{ columnMapping: { colour: 'x' } }, 'driver config'],
      [{ columnMapping: { name: 'type' } }, 'two fields map to the column "type"'],
      [{ primaryKey: 'owner' }, 'tableSchema.primaryKey'],
      [{ indexes: [{ name: 'i', fields: ['owner'], type: 'gist', unique: true }] }, 'cannot be unique'],
      [{ indexes: [{ name: 'i', fields: ['owner', 'state'], type: 'hash' }] }, 'exactly one field'],
      [{ indexes: [{ name: 'i', fields: ['colour'] }] }, 'neither a record field nor a mapped column'],
      [{ indexes: [{ name: 'i', fields: ['version'], type: 'gin' }] }, 'cannot cover the version column'],
      [{ indexes: [{ name: 'idx_type', fields: ['name'] }] }, "protocol's own indexes"],
    ];
    for (const [tableSchema, message] of cases) {
      const error = await fixtures.open({ driver: { tableSchema } as never }).catch((e) => e);
      expect(error, JSON.stringify(tableSchema)).toMatchObject({ code: 'VALIDATION' });
      expect(error.message, JSON.stringify(tableSchema)).toContain(message);
    }
    expect(await sqlOf(driver, `SELECT to_regclass('"${crm}"."metadata; DROP TABLE metadata_events"') IS NULL AS absent`)).toEqual([
      { absent: true },
    ]);
  });

  it('a driver over a store refuses a table schema other than the store’s', async () => {
    expect(() => new MetadataDriver(driver.store, { tableSchema: { name: 'other' } })).toThrow(/tableSchema/);
    expect(() => new MetadataDriver(driver.store, crmTable().driver)).not.toThrow();
  });
});
