import { projectionLockSql, restoreSessionSql } from './table-statements.js';
import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import type { Datasource } from '../../datasource/datasource.js';
import { quoteIdentifier } from '../../datasource/identifier.js';

/** A migration's view of its transaction: statements that change something are reported, lookups are not. */
export interface MigrationTx {
  run(sqlText: string): Promise<void>;
  rows<T = Record<string, unknown>>(sqlText: string): Promise<T[]>;
  /** Undoes what SQL run so far set in the session (settings, role), for the statements that follow it. */
  restoreSession(): Promise<void>;
}

/** Carries a dry run's outcome out of the transaction it rolls back. */
class DryRunDone<T> extends Error {
  constructor(readonly value: T) {
    super('dry run');
  }
}

/**
 * Runs a migration in one transaction under a per-projection advisory lock (concurrent openers and
 * migrators queue). A dry run does all the work, then rolls it back: it proves what would happen and
 * changes nothing.
 */
export async function inMigrationTransaction<T>(
  datasource: Datasource,
  table: FrameworkMetadataTable,
  options: { dryRun: boolean; /** Collects every changing statement, also when the work fails. */ executed: string[] },
  work: (tx: MigrationTx) => Promise<T>,
): Promise<T> {
  const { executed } = options;
  const searchPath = quoteIdentifier(datasource.schema, 'schema');
  try {
    // caller scripts run here: on a connection of its own, discarded afterwards (PGlite: its session reset)
    const value = await datasource.withIsolatedTransaction(async (exec) => {
      await exec(projectionLockSql(table));
      const tx: MigrationTx = {
        run: async (sqlText) => {
          executed.push(sqlText.trim());
          await exec(sqlText);
        },
        rows: (sqlText) => exec(sqlText) as Promise<never[]>,
        restoreSession: async () => {
          await exec(restoreSessionSql(searchPath));
        },
      };
      const result = await work(tx);
      if (options.dryRun) throw new DryRunDone(result);
      return result;
    });
    return value;
  } catch (error) {
    if (error instanceof DryRunDone) return error.value as T;
    throw error;
  }
}
