import { sql, type Kysely } from 'kysely';
import type { ItemDocument } from './document.js';

/** Where an item's stream stands: what the next event must build on. */
export interface StreamHead {
  itemId: string;
  version: number;
  hash: string;
  /** Current state; null while the item is deleted. */
  document: ItemDocument | null;
}

export async function readStreamHead(db: Kysely<any>, type: string, name: string): Promise<StreamHead | null> {
  const { rows } = await sql<StreamHead>`
    SELECT item_id AS "itemId", version, hash, document
    FROM metadata_streams WHERE type = ${type} AND name = ${name}`.execute(db);
  return rows[0] ?? null;
}

/** Heads of every stream (optionally of some types) in item order, a page at a time. */
export async function readStreamHeads(
  db: Kysely<any>,
  options: { types?: string[]; afterItemId?: string; limit?: number } = {},
): Promise<(StreamHead & { type: string; name: string })[]> {
  const { rows } = await sql<StreamHead & { type: string; name: string }>`
    SELECT item_id AS "itemId", type, name, version, hash, document FROM metadata_streams
    WHERE (${options.types ?? null}::text[] IS NULL OR type = ANY(${options.types ?? null}::text[]))
      AND (${options.afterItemId ?? null}::uuid IS NULL OR item_id > ${options.afterItemId ?? null}::uuid)
    ORDER BY item_id LIMIT ${options.limit ?? null}`.execute(db);
  return rows;
}
