import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { MetaledgerError } from '../../errors.js';
import type { MigrationTx } from './migration-transaction.js';

const unquote = (identifier: string) => identifier.slice(1, -1);

/** `'"schema"."table"'`: a validated, quoted name as a literal for to_regclass. */
export const regclassLiteral = (qualifiedName: string) => `'${qualifiedName}'`;

export async function tableExists(tx: MigrationTx, qualifiedName: string): Promise<boolean> {
  const [row] = await tx.rows<{ present: boolean }>(`SELECT to_regclass(${regclassLiteral(qualifiedName)}) IS NOT NULL AS present`);
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
  const target = regclassLiteral(table.qualifiedName);
  const indexNames = table.indexes.map((index) => `'${unquote(index.name)}'`).join(', ');
  const [shape] = await tx.rows<Shape>(`
SELECT
  (SELECT coalesce(json_agg(a.attname), '[]'::json) FROM pg_attribute a WHERE a.attrelid = to_regclass(${target}) AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(k.columns), '[]'::json) FROM (
     SELECT (SELECT json_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) AS columns
     FROM pg_index i WHERE i.indrelid = to_regclass(${target}) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL) k) AS unique_keys,
  (SELECT coalesce(json_agg(json_build_object('name', c.relname, 'mine', i.indrelid = to_regclass(${target}))), '[]'::json)
     FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
     WHERE c.relnamespace = to_regnamespace('"${table.schema}"') AND c.relname IN (${indexNames})) AS named_indexes`);
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
