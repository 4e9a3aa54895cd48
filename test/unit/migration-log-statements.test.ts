import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeTable } from '../../src/table/framework-metadata-table.js';
import type { MetaledgerDatabase } from '../../src/datasource/database-schema.js';
import { migrationLogStatements } from '../../src/migrate/table/migration-log.js';

// compiles queries of the typed interface without a database
const db = new Kysely<MetaledgerDatabase>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const table = describeTable(undefined, 'app');

describe('migration log statements', () => {
  it('records an operation with every value bound and the database user as the default actor', () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const { sql, parameters } = migrationLogStatements
      .insert(db, {
        operation: 'backup',
        table,
        backupName: 'b1',
        executedSql: ['CREATE TABLE x ()'],
        dryRun: false,
        outcome: 'succeeded',
        startedAt,
      })
      .compile();
    expect(sql).toMatch(/^insert into "metadata_migration_log" \("operation", "target_schema", "target_table", "backup_name"/);
    expect(sql).toContain('coalesce($');
    expect(sql).toContain(', current_user)');
    expect(sql).toMatch(/returning "id"$/);
    expect(parameters).toEqual(
      expect.arrayContaining(['backup', 'app', table.name, 'b1', 'CREATE TABLE x ();', false, 'succeeded', startedAt]),
    );
    expect(sql).not.toContain('CREATE TABLE x');
  });

  it('lists backups the driver made that still exist, newest first', () => {
    const { sql, parameters } = migrationLogStatements.existingBackups(db, table).compile();
    // the backup table still exists: its name formatted (quoted) by PostgreSQL
    expect(sql).toContain('and to_regclass(format($5, "target_schema", "backup_name")) is not null');
    expect(sql).toContain('"backup_name" is not null');
    expect(sql).toMatch(/group by "backup_name" order by max\("id"\) desc$/);
    expect(parameters).toEqual(['app', table.name, 'succeeded', false, '%I.%I']);
  });

  it('reads entries with the API names and counts succeeded rollbacks of one', () => {
    const records = migrationLogStatements.records(db).where('id', '=', 7).compile();
    expect(records.sql).toContain('"target_schema" as "targetSchema"');
    expect(records.sql).toContain('"finished_at" as "finishedAt"');
    expect(records.parameters).toEqual([7]);
    const rollbacks = migrationLogStatements.rollbacksOf(db, 7).compile();
    expect(rollbacks.sql).toBe('select count(*) as "n" from "metadata_migration_log" where "rollback_of" = $1 and "outcome" = $2');
    expect(rollbacks.parameters).toEqual([7, 'succeeded']);
  });
});
