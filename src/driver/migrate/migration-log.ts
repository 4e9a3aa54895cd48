import { sql } from 'kysely';
import type { FrameworkMetadataTable } from '../../../projections/framework-metadata-table.js';
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

/** Written after the operation (committed or rolled back), so a failed one is recorded too. */
export async function recordMigration(db: MetaledgerDb, entry: MigrationLogEntry): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO metadata_migration_log (operation, target_schema, target_table, backup_name, used_backup, script, rollback_script,
                                        executed_sql, dry_run, outcome, error, rollback_of, actor, started_at)
    VALUES (${entry.operation}, ${entry.table.schema}, ${entry.table.name}, ${entry.backupName ?? null}, ${entry.usedBackup ?? null}, ${entry.script ?? null},
            ${entry.rollbackScript ?? null}, ${executedSql(entry.executedSql)}, ${entry.dryRun},
            ${entry.outcome}, ${entry.error ?? null}, ${entry.rollbackOf ?? null}, coalesce(${entry.actor ?? null}, current_user), ${entry.startedAt})
    RETURNING id`.execute(db);
  return Number(rows[0].id);
}

const recordColumns = sql`id, operation, target_schema AS "targetSchema", target_table AS "targetTable", backup_name AS "backupName",
  used_backup AS "usedBackup", script, rollback_script AS "rollbackScript", executed_sql AS "executedSql", dry_run AS "dryRun", outcome, error,
  rollback_of AS "rollbackOf", actor, started_at AS "startedAt", finished_at AS "finishedAt"`;

const toRecord = (row: MigrationRecord): MigrationRecord => ({
  ...row,
  id: Number(row.id),
  rollbackOf: row.rollbackOf === null ? null : Number(row.rollbackOf),
});

/** The projection's migrations, newest first. */
export async function listMigrations(db: MetaledgerDb, table: FrameworkMetadataTable, limit = 100): Promise<MigrationRecord[]> {
  const { rows } = await sql<MigrationRecord>`
    SELECT ${recordColumns} FROM metadata_migration_log
    WHERE target_schema = ${table.schema} AND target_table = ${table.name} ORDER BY id DESC LIMIT ${limit}`.execute(db);
  return rows.map(toRecord);
}

export async function findMigration(db: MetaledgerDb, id: number): Promise<MigrationRecord | undefined> {
  const { rows } = await sql<MigrationRecord>`SELECT ${recordColumns} FROM metadata_migration_log WHERE id = ${id}`.execute(db);
  return rows[0] && toRecord(rows[0]);
}

/** Whether a later entry already ran this entry's rollbackScript. */
export async function wasRolledBack(db: MetaledgerDb, id: number): Promise<boolean> {
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM metadata_migration_log WHERE rollback_of = ${id} AND outcome = 'succeeded'`.execute(db);
  return rows[0].n > 0;
}

/** Backups of this projection that still exist, newest first: a table is a backup only if the log says the driver made it. */
export async function existingBackups(db: MetaledgerDb, table: FrameworkMetadataTable): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT backup_name AS name FROM metadata_migration_log
    WHERE target_schema = ${table.schema} AND target_table = ${table.name} AND backup_name IS NOT NULL
      AND outcome = 'succeeded' AND NOT dry_run AND to_regclass(format('%I.%I', target_schema, backup_name)) IS NOT NULL
    GROUP BY backup_name ORDER BY max(id) DESC`.execute(db);
  return rows.map((row) => row.name);
}
