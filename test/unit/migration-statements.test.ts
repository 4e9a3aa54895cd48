import { describe, expect, it } from 'vitest';
import {
  appliedChecksumsScript,
  createSchemaScript,
  migrationLockScript,
  prepareMigrationsLogScript,
  recordMigrationScript,
} from '../../src/migrate/migration-statements.js';
import {
  backupTable,
  copyBackSql,
  copyToBackupSql,
  countRowsSql,
  dropTableSql,
  projectionLockSql,
  projectionShapeSql,
  restoreSessionSql,
  sharedColumnsSql,
  tableExistsSql,
} from '../../src/migrate/table/table-statements.js';
import { describeTable } from '../../src/table/framework-metadata-table.js';

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('schema migration statements', () => {
  it('lock per schema, with the schema name quoted as a literal (the key older processes use)', () => {
    expect(migrationLockScript('crm')).toBe("SELECT pg_advisory_xact_lock(hashtext('metaledger:crm'))");
    expect(migrationLockScript("o'brien")).toBe("SELECT pg_advisory_xact_lock(hashtext('metaledger:o''brien'))");
  });

  it('create the schema and the log in it, then work there for the rest of the transaction', () => {
    expect(createSchemaScript('"crm"')).toBe('CREATE SCHEMA IF NOT EXISTS "crm"');
    const prepare = flat(prepareMigrationsLogScript('"crm"'));
    expect(prepare).toContain('CREATE SCHEMA IF NOT EXISTS "crm"; SET LOCAL search_path TO "crm";');
    expect(prepare).toContain('CREATE TABLE IF NOT EXISTS metaledger_migrations ( name text PRIMARY KEY, checksum text NOT NULL,');
    expect(appliedChecksumsScript).toBe('SELECT name, checksum FROM metaledger_migrations');
  });

  it('record an applied file with its name and checksum as escaped literals', () => {
    expect(recordMigrationScript('0001_init.sql', 'ab12')).toBe(
      "INSERT INTO metaledger_migrations (name, checksum) VALUES ('0001_init.sql', 'ab12')",
    );
    expect(recordMigrationScript("0002_it's.sql", "x'); DROP TABLE t; --")).toBe(
      "INSERT INTO metaledger_migrations (name, checksum) VALUES ('0002_it''s.sql', 'x''); DROP TABLE t; --')",
    );
  });
});

describe('projection table statements', () => {
  const table = describeTable({ name: 'meta' }, 'app');

  it('name backups in the projection schema, every name quoted', () => {
    expect(backupTable(table, 'meta_bak_1')).toBe('"app"."meta_bak_1"');
    expect(copyToBackupSql(table, 'meta_bak_1')).toBe('CREATE TABLE "app"."meta_bak_1" AS TABLE "app"."meta"');
    expect(dropTableSql(backupTable(table, 'meta_bak_1'))).toBe('DROP TABLE "app"."meta_bak_1"');
    expect(() => backupTable(table, 'x"; DROP TABLE y; --')).toThrow(/backupName/);
  });

  it('read existence and row count of the projection', () => {
    expect(tableExistsSql('"app"."meta"')).toBe(`SELECT to_regclass('"app"."meta"') IS NOT NULL AS present`);
    expect(countRowsSql(table)).toBe('SELECT count(*)::int AS n FROM "app"."meta"');
  });

  it('restore copies back only the columns both tables have, after emptying the projection', () => {
    const shared = flat(sharedColumnsSql(table, 'meta_bak_1'));
    expect(shared).toContain(`a.attrelid = to_regclass('"app"."meta"')`);
    expect(shared).toContain(`b.attrelid = to_regclass('"app"."meta_bak_1"')`);
    expect(shared).toContain('AND b.attname = a.attname');
    expect(copyBackSql(table, 'meta_bak_1', '"id", "name"')).toBe(
      'TRUNCATE "app"."meta";\nINSERT INTO "app"."meta" ("id", "name") SELECT "id", "name" FROM "app"."meta_bak_1"',
    );
  });

  it('lock one migration of the projection at a time, and put the session back after a script', () => {
    expect(projectionLockSql(table)).toBe("SELECT pg_advisory_xact_lock(hashtext('metaledger:projection:app.meta'))");
    expect(restoreSessionSql('"app"')).toBe(
      `RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; SET search_path TO "app"; SET timezone TO 'UTC'`,
    );
  });

  it('reads the shape: columns, unique keys and the configured index names in the schema', () => {
    const shape = flat(projectionShapeSql(table));
    expect(shape).toContain(`WHERE a.attrelid = to_regclass('"app"."meta"')`);
    expect(shape).toContain('i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL');
    expect(shape).toContain(`c.relnamespace = to_regnamespace('"app"')`);
    for (const index of table.indexes) expect(shape).toContain(`'${index.name.slice(1, -1)}'`);
  });
});
