import { sql, type Kysely } from 'kysely';
import type { StreamHead } from '../../events/read-stream-head.js';

export interface ItemKey {
  type: string;
  name: string;
}

export const keyOf = (item: ItemKey): string => `${item.type}\u0000${item.name}`;

/** One order of items for every writer that locks several streams: concurrent writers wait instead of deadlocking. */
export const byKey = (a: ItemKey, b: ItemKey): number => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);

/** The stream heads of a batch of items in one query; items never written have no entry. */
export async function readHeadsOf(db: Kysely<any>, items: ItemKey[]): Promise<Map<string, StreamHead>> {
  const keys = JSON.stringify(items.map(({ type, name }) => ({ type, name })));
  const { rows } = await sql<StreamHead & ItemKey>`
    SELECT s.type, s.name, s.item_id AS "itemId", s.version, s.hash, s.document
    FROM jsonb_to_recordset(${keys}::jsonb) AS k(type text, name text)
    JOIN metadata_streams s ON s.type = k.type AND s.name = k.name`.execute(db);
  return new Map(rows.map(({ type, name, ...head }) => [keyOf({ type, name }), head]));
}
