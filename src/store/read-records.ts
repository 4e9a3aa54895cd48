import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import type { SqlRunner } from '../datasource/sql-runner.js';
import type { ItemDocument } from '../events/document.js';
import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import { allRecords, recordByKey, recordCountsByType, recordsPage, type ListFilters } from './record-statements.js';

export type { ListFilters };

/** A record as load / list return it: the envelope, the payload, audit columns and version. */
export interface StoredRecord extends ItemDocument {
  createdBy?: string;
  createdAt?: string;
  updatedBy?: string;
  updatedAt?: string;
  version: number;
}

/** A projection row (camelCase aliases) as a record: no null fields, ISO timestamps, numeric version. */
export function toRecord(row: Record<string, unknown>): StoredRecord {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    record[key] = value instanceof Date ? value.toISOString() : value;
  }
  if (record.version !== undefined) record.version = Number(record.version);
  return record as unknown as StoredRecord;
}

/** The projection reads of one store's table (see record-statements.ts for their text). */
export class RecordReader {
  constructor(private readonly table: FrameworkMetadataTable) {}

  /** One record by (type, name): the uncached load, run as a prepared statement where it can be. */
  async loadOne(run: SqlRunner, type: string, name: string): Promise<StoredRecord | null> {
    const { text, values } = recordByKey(this.table, type, name);
    const [row] = await run<Record<string, unknown>>(text, [...values]);
    return row ? toRecord(row) : null;
  }

  /** Every row of the projection (to warm a cache). */
  async all(db: MetaledgerDb): Promise<StoredRecord[]> {
    return (await runStatement(db, allRecords(this.table))).map(toRecord);
  }

  /**
   * How many items each type holds. With `readableBy`, only items that principal id may read count:
   * shared (system and platform) items and its own user items.
   */
  async countByType(db: MetaledgerDb, readableBy?: string): Promise<{ type: string; count: number }[]> {
    const rows = await runStatement(db, recordCountsByType(this.table, readableBy));
    return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
  }

  async list(db: MetaledgerDb, type: string, filters: ListFilters = {}): Promise<StoredRecord[]> {
    return (await runStatement(db, recordsPage(this.table, type, filters))).map(toRecord);
  }
}
