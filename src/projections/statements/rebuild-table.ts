import { statement, type Statement } from '../../datasource/statement.js';

// A rebuild's work on projection tables: a fresh copy filled from the log, then swapped in by content.
// Table names come quoted (and validated) from the projection's configuration.

/** The non-unique indexes of a table, as qualified, quoted names. */
export function secondaryIndexesOf(table: string): Statement<{ name: string }> {
  return statement(
    'secondary-indexes-of',
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.indrelid = $1::regclass AND NOT i.indisunique`,
    [table],
  );
}

/** Drops an index named as `secondaryIndexesOf` returns it. */
export function dropIndex(index: string): Statement<never> {
  return statement('drop-index', `DROP INDEX ${index}`);
}

/** Drops a table if it exists. */
export function dropTableIfExists(table: string): Statement<never> {
  return statement('drop-table-if-exists', `DROP TABLE IF EXISTS ${table}`);
}

/** An empty table shaped like `like`, with its defaults, constraints and indexes. */
export function createTableLike(table: string, like: string): Statement<never> {
  return statement('create-table-like', `CREATE TABLE ${table} (LIKE ${like} INCLUDING ALL)`);
}

/** Holds every reader and writer of a table off until the transaction ends. */
export function lockTableExclusively(table: string): Statement<never> {
  return statement('lock-table-exclusively', `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
}

/** Replaces a table's rows by those of `from` (and drops `from`): names, indexes and grants stay. */
export function swapContents(table: string, from: string): Statement<never>[] {
  return [
    statement('truncate-table', `TRUNCATE ${table}`),
    statement('copy-table', `INSERT INTO ${table} SELECT * FROM ${from}`),
    statement('drop-table', `DROP TABLE ${from}`),
  ];
}
