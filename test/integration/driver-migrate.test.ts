import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, sqlOf } from './driver-fixtures.js';

/** Migrations name their table, as the protocol requires: here the default projection table. */
const TABLE = '_framework_metadata';
let fixtures: DriverFixtures;
let driver: MetadataDriver;

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_migrate'));
  driver = await fixtures.shared();
  await driver.store.save('object', { name: 'account', namespace: 'crm', metadata: { label: 'Account' } }, { actor: 'alice' });
  await driver.store.save('object', { name: 'contact', metadata: { label: 'Contact' } }, { actor: 'bob' });
  await driver.store.save('object', { name: 'contact', metadata: { label: 'Contact v2' } }, { actor: 'carol' });
  await driver.store.save('view', { name: 'gone', metadata: {} });
  await driver.store.delete('view', 'gone');
});
afterAll(() => fixtures.dispose());

const hasColumn = async (column: string) =>
  (
    await sqlOf(
      driver,
      `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '_framework_metadata' AND column_name = $1`,
      [column],
    )
  ).length > 0;
const tableExists = async (name: string) =>
  (await sqlOf<{ present: boolean }>(driver, `SELECT to_regclass($1) IS NOT NULL AS present`, [name]))[0].present;
const logEntry = async (id: number) => (await driver.migrations()).find((entry) => entry.id === id)!;
const projection = () =>
  sqlOf(
    driver,
    'SELECT id, name, type, namespace, metadata, created_by, created_at, updated_by, updated_at, version FROM _framework_metadata ORDER BY type, name',
  );
const noBackups = () => new MetadataDriver(driver.store, { migration: { backupBeforeMigrate: false } });

describe('alter', () => {
  it('runs the script, backs the table up first (backupBeforeMigrate) and records who, what and how it ended', async () => {
    const result = await driver.migrate(
      {
        type: 'alter',
        table: TABLE,
        script: 'ALTER TABLE _framework_metadata ADD COLUMN color text',
        rollbackScript: 'ALTER TABLE _framework_metadata DROP COLUMN color',
      },
      { actor: 'dba' },
    );
    expect(result).toMatchObject({
      operation: 'alter',
      outcome: 'succeeded',
      dryRun: false,
      statements: [expect.stringContaining('CREATE TABLE'), 'ALTER TABLE _framework_metadata ADD COLUMN color text'],
    });
    expect(await hasColumn('color')).toBe(true);
    expect(result.backupName).toMatch(/^_framework_metadata_bak_\d{17}_[0-9a-f]{4}$/);
    expect(await sqlOf(driver, `SELECT name FROM "${result.backupName}" ORDER BY name`)).toEqual([
      { name: 'account' },
      { name: 'contact' },
    ]);
    expect(await logEntry(result.id)).toMatchObject({
      operation: 'alter',
      actor: 'dba',
      outcome: 'succeeded',
      script: 'ALTER TABLE _framework_metadata ADD COLUMN color text',
      backupName: result.backupName,
      error: null,
    });
    // the store keeps working with the extra column
    await driver.store.save('object', { name: 'account', metadata: { label: 'Account v2' } });
  });

  it('backupBeforeMigrate: false takes no backup', async () => {
    const before = (await driver.backups()).length;
    const result = await noBackups().migrate({
      type: 'alter',
      table: TABLE,
      script: 'CREATE INDEX idx_color ON _framework_metadata (color)',
    });
    expect(result.backupName).toBeUndefined();
    expect(await driver.backups()).toHaveLength(before);
  });

  it('rolls back a failing script entirely, runs the rollbackScript, and records the failure', async () => {
    const error = await noBackups()
      .migrate({
        type: 'alter',
        table: TABLE,
        script: 'ALTER TABLE _framework_metadata ADD COLUMN half_done int; SELECT * FROM no_such_table',
        rollbackScript: `COMMENT ON TABLE _framework_metadata IS 'rollback ran'`,
      })
      .catch((e) => e);
    expect(error).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringMatching(/no_such_table.*rolled back, then the rollbackScript ran/),
    });
    expect(await hasColumn('half_done')).toBe(false);
    expect(await sqlOf(driver, `SELECT obj_description('_framework_metadata'::regclass, 'pg_class') AS note`)).toEqual([
      { note: 'rollback ran' },
    ]);
    await sqlOf(driver, `COMMENT ON TABLE _framework_metadata IS NULL`);
    const [entry] = await driver.migrations(1);
    expect(entry).toMatchObject({ operation: 'alter', outcome: 'rolled_back', error: expect.stringContaining('no_such_table') });
  });

  it('a failing script without a rollbackScript is recorded as failed', async () => {
    await expect(
      noBackups().migrate({ type: 'alter', table: TABLE, script: 'ALTER TABLE _framework_metadata DROP COLUMN nope' }),
    ).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
    });
    expect((await driver.migrations(1))[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('nope') });
  });

  it('refuses a script that leaves the projection unable to serve the store', async () => {
    const error = await noBackups()
      .migrate({ type: 'alter', table: TABLE, script: 'ALTER TABLE _framework_metadata DROP COLUMN owner' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringContaining('lacks the column(s) owner') });
    expect(await hasColumn('owner')).toBe(true);
  });

  it('runs the rollbackScript of a past migration on request, once', async () => {
    const added = await noBackups().migrate({
      type: 'alter',
      table: TABLE,
      script: 'ALTER TABLE _framework_metadata ADD COLUMN size int',
      rollbackScript: 'ALTER TABLE _framework_metadata DROP COLUMN size',
    });
    expect(await hasColumn('size')).toBe(true);
    const undone = await driver.rollbackMigration(added.id, { actor: 'dba' });
    expect(await hasColumn('size')).toBe(false);
    expect(await logEntry(undone.id)).toMatchObject({
      rollbackOf: added.id,
      outcome: 'succeeded',
      script: 'ALTER TABLE _framework_metadata DROP COLUMN size',
      actor: 'dba',
    });
    await expect(driver.rollbackMigration(added.id)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('already rolled back'),
    });
    await expect(driver.rollbackMigration(999_999)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('dry run', () => {
  it('runs everything in a transaction that is rolled back, reports the statements, changes nothing', async () => {
    const backups = await driver.backups();
    const result = await driver.migrate({
      type: 'alter',
      table: TABLE,
      script: 'ALTER TABLE _framework_metadata ADD COLUMN maybe int',
      rollbackScript: 'ALTER TABLE _framework_metadata DROP COLUMN maybe',
      dryRun: true,
    });
    expect(result).toMatchObject({ outcome: 'dry_run', dryRun: true });
    expect(result.statements).toEqual([
      expect.stringContaining('CREATE TABLE'),
      'ALTER TABLE _framework_metadata ADD COLUMN maybe int',
      'ALTER TABLE _framework_metadata DROP COLUMN maybe',
    ]);
    expect(await hasColumn('maybe')).toBe(false);
    expect(await driver.backups()).toEqual(backups);
    expect(await logEntry(result.id)).toMatchObject({ dryRun: true, outcome: 'dry_run' });
  });

  it('reports a script that would fail, and one whose rollbackScript would not apply', async () => {
    await expect(
      driver.migrate({ type: 'alter', table: TABLE, script: 'ALTER TABLE _framework_metadata ADD COLUMN version int', dryRun: true }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringContaining('dry run') });
    await expect(
      driver.migrate({
        type: 'alter',
        table: TABLE,
        script: 'ALTER TABLE _framework_metadata ADD COLUMN maybe int',
        rollbackScript: 'ALTER TABLE _framework_metadata DROP COLUMN maybe_not',
        dryRun: true,
      }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(await hasColumn('maybe')).toBe(false);
  });
});

describe('backup, restore, drop, create', () => {
  it('backup copies the table; restore puts its rows back', async () => {
    const backup = await driver.migrate({ type: 'backup', table: TABLE, backupName: 'before_edit' });
    expect(backup).toMatchObject({ backupName: 'before_edit', outcome: 'succeeded' });
    const saved = await projection();
    await driver.store.save('object', { name: 'account', metadata: { label: 'Edited after backup' } });
    await driver.store.save('object', { name: 'new_one', metadata: {} });
    const restored = await driver.migrate({ type: 'restore', table: TABLE, backupName: 'before_edit' });
    expect(restored).toMatchObject({ usedBackup: 'before_edit', rebuilt: 2 });
    expect(restored.backupName).toBeDefined();
    expect(await projection()).toEqual(saved);
    expect((await driver.load('object', 'account')).data?.metadata).toEqual({ label: 'Account v2' });
    // the restore itself was backed up first, so it can be undone
    await driver.migrate({ type: 'restore', table: TABLE, backupName: restored.backupName });
    expect((await driver.load('object', 'new_one')).data).not.toBeNull();
  });

  it('restore without a name takes the newest backup; names that are not backups are refused', async () => {
    const latest = (await driver.backups())[0];
    expect((await noBackups().migrate({ type: 'restore', table: TABLE })).usedBackup).toBe(latest);
    await expect(driver.migrate({ type: 'restore', table: TABLE, backupName: 'metadata_events' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(driver.migrate({ type: 'backup', table: TABLE, backupName: 'before_edit' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('already exists'),
    });
    await expect(driver.migrate({ type: 'backup', table: TABLE, script: 'SELECT 1' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('drop removes the projection (the log stays); create brings it back rebuilt from the log', async () => {
    await driver.store.save('object', { name: 'account', metadata: { label: 'Account v3' } }, { actor: 'dave' });
    // the restores above left rows the log has moved past: bring the projection back in line first
    await new MetadataDriver(driver.store, { migration: { dropOnMigrate: true, backupBeforeMigrate: false } }).migrate({
      type: 'create',
      table: TABLE,
    });
    const before = await projection();
    expect(before.map((row) => row.name)).toEqual(['account', 'contact', 'new_one']);
    const events = await sqlOf(driver, 'SELECT count(*)::int AS n FROM metadata_events');
    const dropped = await driver.migrate({ type: 'drop', table: TABLE });
    expect(dropped.backupName).toBeDefined();
    expect(await tableExists('_framework_metadata')).toBe(false);
    await expect(driver.store.load('object', 'account', { cache: false })).rejects.toThrow();
    const created = await driver.migrate({ type: 'create', table: TABLE });
    expect(created.rebuilt).toBe(before.length);
    expect(await projection()).toEqual(before);
    expect(await sqlOf(driver, 'SELECT count(*)::int AS n FROM metadata_events')).toEqual(events);
    expect((await driver.load('object', 'account')).data).toMatchObject({
      metadata: { label: 'Account v3' },
      createdBy: 'alice',
      updatedBy: 'dave',
    });
  });

  it('drop with backupName removes that backup only', async () => {
    const result = await driver.migrate({ type: 'drop', table: TABLE, backupName: 'before_edit' });
    expect(result.usedBackup).toBe('before_edit');
    expect(await tableExists('before_edit')).toBe(false);
    expect(await driver.backups()).not.toContain('before_edit');
    expect(await tableExists('_framework_metadata')).toBe(true);
  });

  it('dropOnMigrate: create drops and rebuilds the projection from the log, so a damaged table heals', async () => {
    const healthy = await projection();
    await sqlOf(driver, `UPDATE _framework_metadata SET metadata = '{"damaged": true}', version = 99`);
    await sqlOf(driver, `DELETE FROM _framework_metadata WHERE name = 'contact'`);
    const rebuilding = new MetadataDriver(driver.store, { migration: { dropOnMigrate: true } });
    const result = await rebuilding.migrate({ type: 'create', table: TABLE });
    expect(result).toMatchObject({ rebuilt: healthy.length, backupName: expect.any(String) });
    expect(await projection()).toEqual(healthy);
    // without dropOnMigrate, create leaves an existing table alone
    await sqlOf(driver, `UPDATE _framework_metadata SET version = 99`);
    expect((await driver.migrate({ type: 'create', table: TABLE })).rebuilt).toBeUndefined();
    expect(await sqlOf<{ version: number }>(driver, 'SELECT DISTINCT version FROM _framework_metadata')).toEqual([{ version: 99 }]);
    await rebuilding.migrate({ type: 'create', table: TABLE });
  });

  it('dropOnMigrate on open rebuilds the projection, recorded as autoMigrate', async () => {
    await sqlOf(driver, `UPDATE _framework_metadata SET metadata = '{}'`);
    const reopened = await new MetadataDriver(driver.store, {
      migration: { autoMigrate: true, dropOnMigrate: true, backupBeforeMigrate: false },
    }).init();
    expect((await reopened.load('object', 'contact', { cache: false })).data?.metadata).toEqual({ label: 'Contact v2' });
    expect((await driver.migrations(1))[0]).toMatchObject({
      operation: 'create',
      actor: 'autoMigrate',
      outcome: 'succeeded',
      backupName: null,
    });
  });
});

describe('guards', () => {
  it('refuses scripts that take over the transaction before anything runs, and rolls back those that touch the event log', async () => {
    for (const script of [
      'ALTER TABLE _framework_metadata ADD COLUMN x int; COMMIT',
      'BEGIN; ALTER TABLE _framework_metadata ADD COLUMN x int',
    ]) {
      await expect(driver.migrate({ type: 'alter', table: TABLE, script }), script).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    await expect(driver.migrate({ type: 'alter', table: TABLE, script: 'SELECT 1', rollbackScript: 'COMMIT' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const contained = [
      'DELETE FROM metadata_events',
      'TRUNCATE metadata_streams, _framework_metadata',
      'ALTER TABLE "metadata_changesets" ADD COLUMN x int',
      'DROP SCHEMA public CASCADE',
    ];
    for (const script of contained) {
      await expect(noBackups().migrate({ type: 'alter', table: TABLE, script }), script).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
      });
    }
    // a dry run also proves the rollbackScript, under the same rules
    await expect(
      noBackups().migrate({ type: 'alter', table: TABLE, script: 'SELECT 1', rollbackScript: 'DROP TABLE metadata_events', dryRun: true }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(await tableExists('metadata_events')).toBe(true);
  });

  it('catches a script that reaches the log through dynamic SQL, and rolls it back', async () => {
    const heads = await sqlOf(driver, 'SELECT item_id, hash FROM metadata_streams ORDER BY item_id');
    const sneaky = `DO $$ BEGIN EXECUTE 'UPDATE metadata_' || 'streams SET hash = ''forged'''; END $$`;
    await expect(noBackups().migrate({ type: 'alter', table: TABLE, script: sneaky })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('metadata_streams'),
    });
    expect(await sqlOf(driver, 'SELECT item_id, hash FROM metadata_streams ORDER BY item_id')).toEqual(heads);
  });

  it('refuses other tables and names with SQL in them', async () => {
    await expect(driver.migrate({ type: 'alter', table: 'metadata_events', script: 'SELECT 1' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(driver.migrate({ type: 'drop', table: 'x; DROP TABLE metadata_events' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(driver.migrate({ type: 'backup', table: TABLE, backupName: 'b"; DROP TABLE x; --' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(driver.migrate({ type: 'alter', table: TABLE, schema: 'elsewhere', script: 'SELECT 1' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(driver.migrate({ type: 'alter', table: TABLE })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'script', message: expect.stringMatching(/needs a script/) }],
    });
    expect(await tableExists('metadata_events')).toBe(true);
  });
});
