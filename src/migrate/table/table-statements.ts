import { quoteIdentifier } from '../../datasource/identifier.js';
import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';

// The projection table's own statements, as a migration runs them: script text inside the migration's
// transaction, with names already validated and quoted (values never come from a caller's input).

/** `'"schema"."table"'`: a validated, quoted name as a literal for to_regclass. */
export const regclassLiteral = (qualifiedName: string) => `'${qualifiedName}'`;

const unquote = (identifier: string) => identifier.slice(1, -1);

/** A backup of the projection: `"schema"."<backupName>"`, in the projection's schema. */
export const backupTable = (table: FrameworkMetadataTable, backupName: string) =>
  `${quoteIdentifier(table.schema)}.${quoteIdentifier(backupName, 'backupName')}`;

/** Whether a table of this (quoted, qualified) name exists: one row, `present`. */
export function tableExistsSql(qualifiedName: string): string {
  return `SELECT to_regclass(${regclassLiteral(qualifiedName)}) IS NOT NULL AS present`;
}

/** Copies the projection, rows and columns, into a new backup table. */
export function copyToBackupSql(table: FrameworkMetadataTable, backupName: string): string {
  return `CREATE TABLE ${backupTable(table, backupName)} AS TABLE ${table.qualifiedName}`;
}

/** Drops a table (the projection, or one of its backups) by its quoted, qualified name. */
export function dropTableSql(qualifiedName: string): string {
  return `DROP TABLE ${qualifiedName}`;
}

/** The projection's row count: one row, `n`. */
export function countRowsSql(table: FrameworkMetadataTable): string {
  return `SELECT count(*)::int AS n FROM ${table.qualifiedName}`;
}

/** The columns the projection and a backup both have, quoted by PostgreSQL itself: one row, `columns` (a list). */
export function sharedColumnsSql(table: FrameworkMetadataTable, backupName: string): string {
  const column = (relation: string, alias: string) =>
    `${alias}.attrelid = to_regclass(${regclassLiteral(relation)}) AND ${alias}.attnum > 0 AND NOT ${alias}.attisdropped`;
  return `
SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) AS columns
FROM pg_attribute a
WHERE ${column(table.qualifiedName, 'a')}
  AND EXISTS (SELECT 1 FROM pg_attribute b WHERE ${column(backupTable(table, backupName), 'b')} AND b.attname = a.attname)`;
}

/** Empties the projection and fills it with a backup's rows, `columns` (from sharedColumnsSql) only. */
export function copyBackSql(table: FrameworkMetadataTable, backupName: string, columns: string): string {
  return `TRUNCATE ${table.qualifiedName};\nINSERT INTO ${table.qualifiedName} (${columns}) SELECT ${columns} FROM ${backupTable(table, backupName)}`;
}

/**
 * The projection's shape: its columns, the column sets of its plain unique indexes, and which of the
 * configured index names exist in its schema and whether they are its own. One row.
 */
export function projectionShapeSql(table: FrameworkMetadataTable): string {
  const target = regclassLiteral(table.qualifiedName);
  const indexNames = table.indexes.map((index) => `'${unquote(index.name)}'`).join(', ');
  return `
SELECT
  (SELECT coalesce(json_agg(a.attname), '[]'::json) FROM pg_attribute a WHERE a.attrelid = to_regclass(${target}) AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(k.columns), '[]'::json) FROM (
     SELECT (SELECT json_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) AS columns
     FROM pg_index i WHERE i.indrelid = to_regclass(${target}) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL) k) AS unique_keys,
  (SELECT coalesce(json_agg(json_build_object('name', c.relname, 'mine', i.indrelid = to_regclass(${target}))), '[]'::json)
     FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
     WHERE c.relnamespace = to_regnamespace('"${table.schema}"') AND c.relname IN (${indexNames})) AS named_indexes`;
}

/** One migration of this projection at a time (the key is built from validated identifiers only). */
export function projectionLockSql(table: FrameworkMetadataTable): string {
  return `SELECT pg_advisory_xact_lock(hashtext('metaledger:projection:${table.schema}.${table.name}'))`;
}

/** Puts the session back as the store set it (`searchPath` the quoted schema) after a caller's script. */
export function restoreSessionSql(searchPath: string): string {
  return `RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; SET search_path TO ${searchPath}; SET timezone TO 'UTC'`;
}
