import type { MetaledgerDb } from '../datasource/database-schema.js';
import { CompiledQuery } from 'kysely';
import type { SqlRunner } from '../datasource/sql-runner.js';
import type { ItemDocument } from '../events/document.js';
import type { FrameworkMetadataTable } from '../../projections/framework-metadata-table.js';
import { recordColumnsSql } from '../../projections/framework-metadata.js';

/** A record as load / list return it: the envelope, the payload, audit columns and version. */
export interface StoredRecord extends ItemDocument {
  createdBy?: string;
  createdAt?: string;
  updatedBy?: string;
  updatedAt?: string;
  version: number;
}

/** Filters and paging of `store.list()`. */
export interface ListFilters {
  namespace?: string;
  scope?: string;
  state?: string;
  owner?: string;
  limit?: number;
  offset?: number;
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

/** Prepared SQL text for the projection reads; the table's identifiers are fixed per store. */
export class RecordReader {
  private readonly selectOne: string;
  private readonly selectColumns: string;

  constructor(private readonly table: FrameworkMetadataTable) {
    this.selectColumns = recordColumnsSql(table);
    this.selectOne = `SELECT ${this.selectColumns} FROM ${table.qualifiedName} p WHERE p.${table.columns.type} = $1 AND p.${table.columns.name} = $2`;
  }

  /** One record by (type, name): the uncached load, run as a prepared statement where it can be. */
  async loadOne(run: SqlRunner, type: string, name: string): Promise<StoredRecord | null> {
    const [row] = await run<Record<string, unknown>>(this.selectOne, [type, name]);
    return row ? toRecord(row) : null;
  }

  /** Every row of the projection (to warm a cache). */
  async all(db: MetaledgerDb): Promise<StoredRecord[]> {
    const { rows } = await db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`SELECT ${this.selectColumns} FROM ${this.table.qualifiedName} p`),
    );
    return rows.map(toRecord);
  }

  /**
   * How many items each type holds. With `readableBy`, only items that principal id may read count:
   * shared (system and platform) items and its own user items.
   */
  async countByType(db: MetaledgerDb, readableBy?: string): Promise<{ type: string; count: number }[]> {
    const c = this.table.columns;
    const visible = readableBy === undefined ? '' : `WHERE p.${c.scope} <> 'user' OR p.${c.owner} = $1`;
    const { rows } = await db.executeQuery<{ type: string; count: number }>(
      CompiledQuery.raw(
        `SELECT p.${c.type} AS type, count(*) AS count FROM ${this.table.qualifiedName} p ${visible} GROUP BY p.${c.type} ORDER BY p.${c.type}`,
        readableBy === undefined ? [] : [readableBy],
      ),
    );
    return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
  }

  async list(db: MetaledgerDb, type: string, filters: ListFilters = {}): Promise<StoredRecord[]> {
    const c = this.table.columns;
    const parameters: unknown[] = [type];
    const conditions = [`p.${c.type} = $1`];
    for (const field of ['namespace', 'scope', 'state', 'owner'] as const) {
      const value = filters[field];
      if (value === undefined) continue;
      parameters.push(value);
      conditions.push(`p.${c[field]} = $${parameters.length}`);
    }
    parameters.push(filters.limit ?? null, filters.offset ?? 0);
    const text = `SELECT ${this.selectColumns} FROM ${this.table.qualifiedName} p WHERE ${conditions.join(' AND ')}
      ORDER BY p.${c.name} LIMIT $${parameters.length - 1} OFFSET $${parameters.length}`;
    const { rows } = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters));
    return rows.map(toRecord);
  }
}
