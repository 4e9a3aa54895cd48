import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** Every case saves the same shape of record: a small object definition (~0.5 kB of JSON). */
export const benchType = 'object';

export function itemName(prefix: string, index: number): string {
  return `${prefix}_${index}`;
}

export function itemMetadata(index: number, revision: number): Record<string, unknown> {
  return {
    label: `Item ${index}`,
    revision,
    description: `Benchmark object ${index}, revision ${revision}`,
    fields: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'title', type: 'text', maxLength: 200, required: true },
      { name: 'status', type: 'select', options: ['open', 'closed', 'archived'] },
      { name: 'amount', type: 'currency', scale: 2 },
      { name: 'owner', type: 'lookup', reference: 'user' },
    ],
    permissions: { read: ['everyone'], write: ['admins'] },
  };
}

/** The plain table the raw baselines use: the record's minimal columns, unique by (type, name) as a store is. */
export const plainTableDdl = `
CREATE TABLE plain_items (
  id uuid PRIMARY KEY,
  type varchar(100) NOT NULL,
  name varchar(255) NOT NULL,
  metadata jsonb NOT NULL,
  UNIQUE (type, name)
)`;

/** One raw single-row INSERT in autocommit: one round trip, one WAL flush — the physical ceiling of a save. */
export function insertPlain(pool: pg.Pool, name: string, metadata: Record<string, unknown>): Promise<unknown> {
  return pool.query('INSERT INTO plain_items (id, type, name, metadata) VALUES ($1, $2, $3, $4)', [
    randomUUID(),
    benchType,
    name,
    metadata,
  ]);
}
