import { sql } from 'kysely';
import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import type { MetadataMigrationType } from '../../protocol/index.js';
import type { MetaledgerDb } from '../../datasource/database-schema.js';

/** How a migration operation ended, as its log entry records. */
export type MigrationOutcome = 'succeeded' | 'failed' | 'rolled_back' | 'dry_run';

export interface MigrationLogEntry {
  operation: MetadataMigrationType;
  table: FrameworkMetadataTable;
  /** The backup this operation made. */
  backupName?: string;
  /** The backup it restored from or dropped. */
  usedBackup?: string;
  script?: string;
  rollbackScript?: string;
  executedSql: string[];
  dryRun: boolean;
  outcome: MigrationOutcome;
  error?: string;
  rollbackOf?: number;
  /** Defaults to the database user. */
  actor?: string;
  startedAt: Date;
}

/** A row of metadata_migration_log as the API returns it. */
export interface MigrationRecord {
  id: number;
  operation: MetadataMigrationType;
  targetSchema: string;
  targetTable: string;
  backupName: string | null;
  usedBackup: string | null;
  script: string | null;
  rollbackScript: string | null;
  executedSql: string | null;
  dryRun: boolean;
  outcome: MigrationOutcome;
  error: string | null;
  rollbackOf: number | null;
  actor: string;
  startedAt: Date;
  finishedAt: Date;
}

const executedSql = (statements: string[]) =>
  statements.length > 0 ? statements.map((statement) => `${statement.replace(/;\s*$/, '')};`).join('\n') : null;

/** The migration log's statements, as typed queries of the datasource's Kysely (see `MigrationLogTable`). */
export const migrationLogStatements = {
  /** Records one operation; returns its id. */
  insert: (db: MetaledgerDb, entry: MigrationLogEntry) =>
    db
      .insertInto('metadata_migration_log')
      .values({
        operation: entry.operation,
        target_schema: entry.table.schema,
        target_table: entry.table.name,
        backup_name: entry.backupName ?? null,
        used_backup: entry.usedBackup ?? null,
        script: entry.script ?? null,
        rollback_script: entry.rollbackScript ?? null,
        executed_sql: executedSql(entry.executedSql),
        dry_run: entry.dryRun,
        outcome: entry.outcome,
        error: entry.error ?? null,
        rollback_of: entry.rollbackOf ?? null,
        actor: sql<string>`coalesce(${entry.actor ?? null}, current_user)`,
        started_at: entry.startedAt,
      })
      .returning('id'),
  /** Entries as the API shows them. */
  records: (db: MetaledgerDb) =>
    db
      .selectFrom('metadata_migration_log')
      .select([
        'id',
        'operation',
        'target_schema as targetSchema',
        'target_table as targetTable',
        'backup_name as backupName',
        'used_backup as usedBackup',
        'script',
        'rollback_script as rollbackScript',
        'executed_sql as executedSql',
        'dry_run as dryRun',
        'outcome',
        'error',
        'rollback_of as rollbackOf',
        'actor',
        'started_at as startedAt',
        'finished_at as finishedAt',
      ]),
  /** Succeeded entries that ran the rollbackScript of entry `id`. */
  rollbacksOf: (db: MetaledgerDb, id: number) =>
    db
      .selectFrom('metadata_migration_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('rollback_of', '=', id)
      .where('outcome', '=', 'succeeded'),
  /** Backups the driver made of a projection table that still exist, newest first. */
  existingBackups: (db: MetaledgerDb, table: FrameworkMetadataTable) =>
    db
      .selectFrom('metadata_migration_log')
      .select('backup_name as name')
      .where('target_schema', '=', table.schema)
      .where('target_table', '=', table.name)
      .where('backup_name', 'is not', null)
      .where('outcome', '=', 'succeeded')
      .where('dry_run', '=', false)
      // the backup table is still there (names quoted by format)
      .where((eb) =>
        eb(eb.fn('to_regclass', [eb.fn('format', [eb.val('%I.%I'), eb.ref('target_schema'), eb.ref('backup_name')])]), 'is not', null),
      )
      .groupBy('backup_name')
      .orderBy((eb) => eb.fn.max('id'), 'desc'),
};

/** Written after the operation (committed or rolled back), so a failed one is recorded too. */
export async function recordMigration(db: MetaledgerDb, entry: MigrationLogEntry): Promise<number> {
  const { id } = await migrationLogStatements.insert(db, entry).executeTakeFirstOrThrow();
  return Number(id);
}

const toRecord = (row: Omit<MigrationRecord, 'operation'> & { operation: string }): MigrationRecord => ({
  ...row,
  operation: row.operation as MetadataMigrationType,
  id: Number(row.id),
  rollbackOf: row.rollbackOf === null ? null : Number(row.rollbackOf),
});

/** The projection's migrations, newest first. */
export async function listMigrations(db: MetaledgerDb, table: FrameworkMetadataTable, limit = 100): Promise<MigrationRecord[]> {
  const rows = await migrationLogStatements
    .records(db)
    .where('target_schema', '=', table.schema)
    .where('target_table', '=', table.name)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}

export async function findMigration(db: MetaledgerDb, id: number): Promise<MigrationRecord | undefined> {
  const row = await migrationLogStatements.records(db).where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Whether a later entry already ran this entry's rollbackScript. */
export async function wasRolledBack(db: MetaledgerDb, id: number): Promise<boolean> {
  const row = await migrationLogStatements.rollbacksOf(db, id).executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}

/** Backups of this projection that still exist, newest first: a table is a backup only if the log says the driver made it. */
export async function existingBackups(db: MetaledgerDb, table: FrameworkMetadataTable): Promise<string[]> {
  const rows = await migrationLogStatements.existingBackups(db, table).execute();
  return rows.map((row) => row.name!);
}
