import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import { migrate, type MetadataStore } from '../../src/index.js';
import { readMigrationFiles } from '../../src/migrate/migrator.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('migrations');
});
afterAll(() => database.dispose());

describe('migrator', () => {
  it('applies every sql/ file once, recording name and checksum, even when several stores start at once', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => database.open()));
    const files = readMigrationFiles();
    const applied = await database.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM metaledger_migrations ORDER BY name',
    );
    expect(applied).toEqual(files.map(({ name, checksum }) => ({ name, checksum })));
    expect(await migrate(internalsOf(stores[0]).datasource)).toEqual([]);
  });

  it('creates the log and the projection with the documented shape', async () => {
    const columns = await database.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('metadata_events', '_framework_metadata') ORDER BY table_name, ordinal_position`,
      [database.schema],
    );
    const of = (table: string) => columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    expect(of('metadata_events')).toEqual([
      'position',
      'tx_id',
      'item_id',
      'type',
      'name',
      'version',
      'kind',
      'patch',
      'inverse',
      'snapshot',
      'namespace',
      'scope',
      'state',
      'owner',
      'extends',
      'strategy',
      'changeset_id',
      'recorded_at',
      'prev_hash',
      'hash',
      'hash_version',
      'schema_version',
    ]);
    expect(of('_framework_metadata')).toEqual([
      'id',
      'name',
      'type',
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
    const indexes = await database.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = '_framework_metadata'`,
      [database.schema],
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['idx_namespace', 'idx_type', 'idx_scope', 'idx_state', 'unique_type_name']),
    );
  });

  it('refuses to start when an applied file has changed, and applies nothing', async () => {
    const store: MetadataStore = await database.open();
    const files = readMigrationFiles();
    const tampered = files.map((file, index) =>
      index === 0 ? { ...file, sql: `${file.sql}\n-- edited`, checksum: 'f'.repeat(64) } : file,
    );
    const extra = { name: '9999_extra.sql', sql: 'CREATE TABLE should_not_exist (id int);', checksum: 'e'.repeat(64) };
    const error = await migrate(internalsOf(store).datasource, [...tampered, extra]).catch((e) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(error.message).toContain(files[0].name);
    const [exists] = await database.query<{ present: boolean }>(`SELECT to_regclass('should_not_exist') IS NOT NULL AS present`);
    expect(exists.present).toBe(false);
  });

  it('a failing file rolls back every file of the run', async () => {
    const store = await database.open();
    const good = { name: '9001_good.sql', sql: 'CREATE TABLE mig_good (id int);', checksum: 'a'.repeat(64) };
    const bad = { name: '9002_bad.sql', sql: 'CREATE TABLE mig_bad (id int); SELECT * FROM missing_table;', checksum: 'b'.repeat(64) };
    await expect(migrate(internalsOf(store).datasource, [...readMigrationFiles(), good, bad])).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
    });
    const [row] = await database.query<{ good: boolean; recorded: number }>(
      `SELECT to_regclass('mig_good') IS NOT NULL AS good, (SELECT count(*)::int FROM metaledger_migrations WHERE name LIKE '900%') AS recorded`,
    );
    expect(row).toEqual({ good: false, recorded: 0 });
  });
});
