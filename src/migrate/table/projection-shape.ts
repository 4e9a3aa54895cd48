import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { MetaledgerError } from '../../errors.js';
import type { MigrationTx } from './migration-transaction.js';
import { projectionShapeSql, tableExistsSql } from './table-statements.js';

const unquote = (identifier: string) => identifier.slice(1, -1);

/** Whether a table of this (quoted, qualified) name exists. */
export async function tableExists(tx: MigrationTx, qualifiedName: string): Promise<boolean> {
  const [row] = await tx.rows<{ present: boolean }>(tableExistsSql(qualifiedName));
  return row.present;
}

interface Shape {
  columns: string[];
  unique_keys: string[][];
  named_indexes: { name: string; mine: boolean }[];
}

/**
 * Checks that the physical table can serve the store: every mapped column exists, and a unique index on
 * exactly (type, name) is there for the inline upsert. With `indexes`, also that every configured index
 * name belongs to this table (CREATE INDEX IF NOT EXISTS silently skips a name another table holds).
 */
export async function verifyProjection(tx: MigrationTx, table: FrameworkMetadataTable, options: { indexes: boolean }): Promise<void> {
  const [shape] = await tx.rows<Shape>(projectionShapeSql(table));
  const problems: string[] = [];
  const expected = Object.values(table.columns).map(unquote);
  const missing = expected.filter((column) => !shape.columns.includes(column));
  if (missing.length > 0) problems.push(`lacks the column(s) ${missing.join(', ')}`);
  const key = [unquote(table.columns.type), unquote(table.columns.name)].sort().join(',');
  if (!shape.unique_keys.some((columns) => columns.join(',') === key))
    problems.push(`has no unique index on (${unquote(table.columns.type)}, ${unquote(table.columns.name)})`);
  if (options.indexes) {
    const foreign = shape.named_indexes.filter((index) => !index.mine).map((index) => index.name);
    if (foreign.length > 0)
      problems.push(`cannot get the index(es) ${foreign.join(', ')}: another table in schema ${table.schema} holds that name`);
  }
  if (problems.length > 0) {
    throw new MetaledgerError(
      'MIGRATION_FAILED',
      `projection table ${table.qualifiedName} ${problems.join('; ')} (migrate it, or open with migration.dropOnMigrate to rebuild it from the log)`,
    );
  }
}
