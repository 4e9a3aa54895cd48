import { statement, type Statement } from '../../datasource/statement.js';

// The statements around a driver query: the planner settings it runs under and its plan. The query's own
// text comes from compile-query.ts (built from the table's column mapping and the caller's filters).

/**
 * Switches index scans off for the rest of the transaction (SET LOCAL): with query.useIndexes false the
 * planner scans the table instead, and the settings end with the transaction.
 */
export function planWithoutIndexes(): Statement<never>[] {
  return [
    statement('disable-index-scan', 'SET LOCAL enable_indexscan = off'),
    statement('disable-bitmap-scan', 'SET LOCAL enable_bitmapscan = off'),
    statement('disable-index-only-scan', 'SET LOCAL enable_indexonlyscan = off'),
  ];
}

/** The plan PostgreSQL picks for a compiled query, one row per line, with the query's values bound. */
export function explain(query: { text: string; values: readonly unknown[] }): Statement<{ 'QUERY PLAN': string }> {
  return statement('explain-query', `EXPLAIN ${query.text}`, query.values);
}
