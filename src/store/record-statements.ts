import { Parameters, statement, type Statement } from '../datasource/statement.js';
import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import { recordColumnsSql } from '../table/table-sql.js';

// The record reads of a store: its projection table as records. The table and its column mapping are
// fixed per store, so each statement takes the table and names its columns through `table.columns`.

/** Filters and paging of `store.list()`. */
export interface ListFilters {
  namespace?: string;
  scope?: string;
  state?: string;
  owner?: string;
  limit?: number;
  offset?: number;
}

// A store builds the same select list for every read; kept per table so the hot load builds it once.
const selectLists = new WeakMap<FrameworkMetadataTable, string>();

function selectList(table: FrameworkMetadataTable): string {
  let columns = selectLists.get(table);
  if (columns === undefined) selectLists.set(table, (columns = recordColumnsSql(table)));
  return columns;
}

/** One record by (type, name): the uncached load, whose text is one per store (a prepared statement). */
export function recordByKey(table: FrameworkMetadataTable, type: string, name: string): Statement<Record<string, unknown>> {
  const c = table.columns;
  return statement(
    'record-by-key',
    `SELECT ${selectList(table)} FROM ${table.qualifiedName} p WHERE p.${c.type} = $1 AND p.${c.name} = $2`,
    [type, name],
  );
}

/** Every row of the projection as a record (to warm a cache). */
export function allRecords(table: FrameworkMetadataTable): Statement<Record<string, unknown>> {
  return statement('all-records', `SELECT ${selectList(table)} FROM ${table.qualifiedName} p`);
}

/**
 * How many items each type holds, in type order. With `readableBy`, only those that principal id may
 * read count: shared (system and platform) items and its own user items.
 */
export function recordCountsByType(
  table: FrameworkMetadataTable,
  readableBy?: string,
): Statement<{ type: string; count: number | string }> {
  const c = table.columns;
  const visible = readableBy === undefined ? '' : `WHERE p.${c.scope} <> 'user' OR p.${c.owner} = $1`;
  return statement(
    'record-counts-by-type',
    `SELECT p.${c.type} AS type, count(*) AS count FROM ${table.qualifiedName} p ${visible} GROUP BY p.${c.type} ORDER BY p.${c.type}`,
    readableBy === undefined ? [] : [readableBy],
  );
}

/** A page of one type's records in name order; each filter given binds one value, then limit and offset. */
export function recordsPage(table: FrameworkMetadataTable, type: string, filters: ListFilters = {}): Statement<Record<string, unknown>> {
  const c = table.columns;
  const parameters = new Parameters(type);
  const conditions = [`p.${c.type} = $1`];
  for (const field of ['namespace', 'scope', 'state', 'owner'] as const) {
    const value = filters[field];
    if (value !== undefined) conditions.push(`p.${c[field]} = ${parameters.bind(value)}`);
  }
  return statement(
    'records-page',
    `SELECT ${selectList(table)} FROM ${table.qualifiedName} p WHERE ${conditions.join(' AND ')}
      ORDER BY p.${c.name} LIMIT ${parameters.bind(filters.limit ?? null)} OFFSET ${parameters.bind(filters.offset ?? 0)}`,
    parameters.values,
  );
}
