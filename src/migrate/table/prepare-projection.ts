import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import type { Datasource } from '../../datasource/datasource.js';
import { MetaledgerError } from '../../errors.js';
import { migrate } from '../migrator.js';
import { recordMigration } from './migration-log.js';
import { inMigrationTransaction } from './migration-transaction.js';
import { createProjection, type MigrationPolicy } from './operations.js';

/**
 * What autoMigrate does for the projection when a store opens: make the configured table exist with its
 * indexes (idempotent), filling a new one from the log. With dropOnMigrate the table is recreated and
 * rebuilt (after a backup when backupBeforeMigrate). Recorded in the migration log when it changed anything.
 */
export async function prepareProjection(datasource: Datasource, table: FrameworkMetadataTable, policy: MigrationPolicy): Promise<void> {
  const startedAt = new Date();
  const executed: string[] = [];
  try {
    const outcome = await inMigrationTransaction(datasource, table, { dryRun: false, executed }, (tx) =>
      createProjection(tx, table, policy),
    );
    if (outcome.rebuilt === undefined) return;
    await recordMigration(datasource.db, {
      operation: 'create',
      table,
      backupName: outcome.backupName,
      executedSql: executed,
      dryRun: false,
      outcome: 'succeeded',
      actor: 'autoMigrate',
      startedAt,
    });
  } catch (caught) {
    // the datasource typed what it could (a timeout, a lost connection); any other failure is the migration's
    if (caught instanceof MetaledgerError) throw caught;
    throw new MetaledgerError(
      'MIGRATION_FAILED',
      `preparing projection table ${table.qualifiedName} failed: ${(caught as Error).message}`,
      {
        cause: caught,
      },
    );
  }
}

/** autoMigrate on open: the numbered sql/ files, then the configured projection table. */
export async function prepareDatabase(datasource: Datasource, table: FrameworkMetadataTable, policy: MigrationPolicy): Promise<void> {
  await migrate(datasource);
  await prepareProjection(datasource, table, policy);
}
