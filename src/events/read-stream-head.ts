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
