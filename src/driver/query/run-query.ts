import { CompiledQuery as RawQuery } from 'kysely';
import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import type { StrictMetadataQueryOptions as MetadataQueryOptions } from '../../protocol/index.js';
import { toRecord, type StoredRecord } from '../../store/read-records.js';
import { compileCount, compileQuery, type QueryLimits } from './compile-query.js';
import { explain, planWithoutIndexes } from './query-statements.js';
import { runStatement } from '../../datasource/statement.js';
import type { MetaledgerDb } from '../../datasource/database-schema.js';

export interface QuerySettings extends QueryLimits {
  /** query.useIndexes: false makes the planner scan the table instead of using its indexes. */
  useIndexes: boolean;
}

/** What `select` leaves of a record: only the fields asked for. */
export type QueriedRecord = Partial<StoredRecord>;

/** The outcome of `driver.query()`: one page of records and the total matching. */
export interface QueryResult {
  records: QueriedRecord[];
  /** Rows matching the filters, whatever the page or limit. */
  total: number;
  page?: number;
  pageSize?: number;
  /** More matching rows exist beyond this result. */
  hasMore: boolean;
  queryTime: number;
}

/** Runs `work` with index scans switched off for its transaction only when the driver says not to use indexes. */
async function withPlannerSettings<T>(db: MetaledgerDb, useIndexes: boolean, work: (db: MetaledgerDb) => Promise<T>): Promise<T> {
  if (useIndexes) return work(db);
  return db.transaction().execute(async (trx) => {
    for (const setting of planWithoutIndexes()) await runStatement(trx, setting);
    return work(trx);
  });
}

/** Selected 'metadata.<path>' columns become nested keys of `metadata`, as in a full record. */
function toQueriedRecord(row: Record<string, unknown>): QueriedRecord {
  const { __total: _total, ...columns } = row;
  const record = toRecord(columns) as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!key.startsWith('metadata.')) continue;
    const path = key.split('.').slice(1);
    let target = (record.metadata ??= {}) as Record<string, unknown>;
    for (const segment of path.slice(0, -1)) target = (target[segment] ??= {}) as Record<string, unknown>;
    target[path[path.length - 1]] = record[key];
    delete record[key];
  }
  return record as QueriedRecord;
}

export async function runQuery(
  db: MetaledgerDb,
  table: FrameworkMetadataTable,
  options: MetadataQueryOptions,
  settings: QuerySettings,
): Promise<QueryResult> {
  const started = performance.now();
  const compiled = compileQuery(table, options, settings);
  const { rows, total } = await withPlannerSettings(db, settings.useIndexes, async (conn) => {
    const { rows } = await conn.executeQuery<Record<string, unknown>>(RawQuery.raw(compiled.text, compiled.values));
    if (rows.length > 0 || compiled.window.offset === 0) return { rows, total: Number(rows[0]?.__total ?? 0) };
    const count = compileCount(table, options);
    const { rows: counted } = await conn.executeQuery<{ total: number }>(RawQuery.raw(count.text, count.values));
    return { rows, total: Number(counted[0].total) };
  });
  const { window } = compiled;
  return {
    records: rows.map(toQueriedRecord),
    total,
    page: window.page,
    pageSize: window.pageSize,
    hasMore: window.offset + rows.length < total,
    queryTime: performance.now() - started,
  };
}

/** The plan PostgreSQL picks for this query under the driver's settings, one line per node. */
export async function explainQuery(
  db: MetaledgerDb,
  table: FrameworkMetadataTable,
  options: MetadataQueryOptions,
  settings: QuerySettings,
): Promise<string[]> {
  const compiled = compileQuery(table, options, settings);
  return withPlannerSettings(db, settings.useIndexes, async (conn) => {
    const rows = await runStatement(conn, explain(compiled));
    return rows.map((row) => row['QUERY PLAN']);
  });
}
