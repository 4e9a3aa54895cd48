import { randomBytes } from 'node:crypto';
import { createTableSql, derivedName, type FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { rebuildTableSql } from '../../table/table-sql.js';
import type { MetadataMigrationType } from '../../protocol/index.js';
import type { MigrationTx } from './migration-transaction.js';
import { tableExists, verifyProjection } from './projection-shape.js';
import { backupTable, copyBackSql, copyToBackupSql, countRowsSql, dropTableSql, sharedColumnsSql } from './table-statements.js';

export interface MigrationPolicy {
  /** migration.backupBeforeMigrate: copy the projection before an operation changes it. */
  backupBeforeMigrate: boolean;
  /** migration.dropOnMigrate: `create` drops an existing projection and rebuilds it from the log. */
  dropOnMigrate: boolean;
}

/** Runs a caller's script inside the operation's transaction, checking what it did (see containment.ts). */
export type RunScript = (script: string) => Promise<void>;

/** One operation, its inputs checked and its backup names resolved before the transaction starts. */
export interface ResolvedOperation {
  type: MetadataMigrationType;
  script?: string;
  /** backup: the name of the new backup. restore / drop: the backup to read or remove. */
  backupName?: string;
}

export interface OperationOutcome {
  /** The backup this operation made. */
  backupName?: string;
  /** The backup it restored from or dropped. */
  usedBackup?: string;
  /** Rows written back from the log, when the projection was (re)built. */
  rebuilt?: number;
}

/** `<table>_bak_<UTC timestamp>_<random>`: sortable, unique, within the identifier limit. */
export function automaticBackupName(table: FrameworkMetadataTable, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 17);
  return derivedName(table.name, `bak_${stamp}_${randomBytes(2).toString('hex')}`);
}

async function takeBackup(tx: MigrationTx, table: FrameworkMetadataTable, name: string): Promise<string> {
  await tx.run(copyToBackupSql(table, name));
  return name;
}

async function rebuild(tx: MigrationTx, table: FrameworkMetadataTable): Promise<number> {
  await tx.run(rebuildTableSql(table));
  const [row] = await tx.rows<{ n: number }>(countRowsSql(table));
  return row.n;
}

async function backupFirst(tx: MigrationTx, table: FrameworkMetadataTable, policy: MigrationPolicy): Promise<string | undefined> {
  if (!policy.backupBeforeMigrate || !(await tableExists(tx, table.qualifiedName))) return undefined;
  return takeBackup(tx, table, automaticBackupName(table));
}

/** Creates the configured table; with dropOnMigrate an existing one is dropped first. A new table is filled from the log. */
export async function createProjection(
  tx: MigrationTx,
  table: FrameworkMetadataTable,
  policy: MigrationPolicy,
  script?: string,
  runScript: RunScript = (text) => tx.run(text),
): Promise<OperationOutcome> {
  const existed = await tableExists(tx, table.qualifiedName);
  const recreate = existed && policy.dropOnMigrate;
  const backupName = recreate ? await backupFirst(tx, table, policy) : undefined;
  if (recreate) await tx.run(dropTableSql(table.qualifiedName));
  if (script === undefined) await tx.run(createTableSql(table));
  else await runScript(script);
  await verifyProjection(tx, table, { indexes: script === undefined });
  return { backupName, rebuilt: !existed || recreate ? await rebuild(tx, table) : undefined };
}

async function restoreProjection(
  tx: MigrationTx,
  table: FrameworkMetadataTable,
  policy: MigrationPolicy,
  source: string,
): Promise<OperationOutcome> {
  const backupName = await backupFirst(tx, table, policy);
  if (!(await tableExists(tx, table.qualifiedName))) await tx.run(createTableSql(table));
  // the columns both tables have, quoted by PostgreSQL itself
  const [{ columns }] = await tx.rows<{ columns: string | null }>(sharedColumnsSql(table, source));
  await tx.run(copyBackSql(table, source, columns ?? ''));
  await verifyProjection(tx, table, { indexes: false });
  const [row] = await tx.rows<{ n: number }>(countRowsSql(table));
  return { backupName, usedBackup: source, rebuilt: row.n };
}

/**
 * The body of each operation type, inside the migration transaction:
 * - create: the configured DDL (or the script), see createProjection;
 * - alter: the script; the table must still serve the store afterwards;
 * - drop: the projection (or, given backupName, that backup); the log stays, `create` rebuilds from it;
 * - backup: a copy of the table; restore: the rows of a backup back into the projection.
 */
export async function applyOperation(
  tx: MigrationTx,
  table: FrameworkMetadataTable,
  policy: MigrationPolicy,
  operation: ResolvedOperation,
  runScript: RunScript,
): Promise<OperationOutcome> {
  switch (operation.type) {
    case 'create':
      return createProjection(tx, table, policy, operation.script, runScript);
    case 'alter': {
      const backupName = await backupFirst(tx, table, policy);
      await runScript(operation.script!);
      await verifyProjection(tx, table, { indexes: false });
      return { backupName };
    }
    case 'drop': {
      if (operation.backupName) {
        await tx.run(dropTableSql(backupTable(table, operation.backupName)));
        return { usedBackup: operation.backupName };
      }
      const backupName = await backupFirst(tx, table, policy);
      if (operation.script === undefined) await tx.run(dropTableSql(table.qualifiedName));
      else await runScript(operation.script);
      return { backupName };
    }
    case 'backup':
      return { backupName: await takeBackup(tx, table, operation.backupName ?? automaticBackupName(table)) };
    case 'restore':
      return restoreProjection(tx, table, policy, operation.backupName!);
  }
}
