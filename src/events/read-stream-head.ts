import { sql } from 'kysely';
import { kyselyRunner, type SqlRunner } from '../datasource/sql-runner.js';
import type { ItemDocument } from './document.js';
import { keyOf, type ItemKey } from './stream-key.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** Where an item's stream stands: what the next event must build on. */
export interface StreamHead {
  itemId: string;
  version: number;
  hash: string;
  /** Current state; null while the item is deleted. */
  document: ItemDocument | null;
}

const headQuery = `SELECT item_id AS "itemId", version, hash, document FROM metadata_streams WHERE type = $1 AND name = $2`;

/** The item's head; `lock` holds the stream row until the transaction ends (writers queue instead of retrying). */
export async function readStreamHead(
  db: MetaledgerDb | SqlRunner,
  type: string,
  name: string,
  options: { lock?: boolean } = {},
): Promise<StreamHead | null> {
  const run = typeof db === 'function' ? db : kyselyRunner(db);
  const [head] = await run<StreamHead>(options.lock ? `${headQuery} FOR UPDATE` : headQuery, [type, name]);
  return head ?? null;
}

/** Heads of every stream (optionally of some types) in item order, a page at a time. */
export async function readStreamHeads(
  db: MetaledgerDb,
  options: { types?: string[]; afterItemId?: string; limit?: number } = {},
): Promise<(StreamHead & { type: string; name: string })[]> {
  const { rows } = await sql<StreamHead & { type: string; name: string }>`
    SELECT item_id AS "itemId", type, name, version, hash, document FROM metadata_streams
    WHERE (${options.types ?? null}::text[] IS NULL OR type = ANY(${options.types ?? null}::text[]))
      AND (${options.afterItemId ?? null}::uuid IS NULL OR item_id > ${options.afterItemId ?? null}::uuid)
    ORDER BY item_id LIMIT ${options.limit ?? null}`.execute(db);
  return rows;
}

/** The stream heads of a batch of items in one query, keyed by `keyOf`; items never written have no entry. */
export async function readHeadsOf(db: MetaledgerDb, items: ItemKey[]): Promise<Map<string, StreamHead>> {
  const keys = JSON.stringify(items.map(({ type, name }) => ({ type, name })));
  const { rows } = await sql<StreamHead & ItemKey>`
    SELECT s.type, s.name, s.item_id AS "itemId", s.version, s.hash, s.document
    FROM jsonb_to_recordset(${keys}::jsonb) AS k(type text, name text)
    JOIN metadata_streams s ON s.type = k.type AND s.name = k.name`.execute(db);
  return new Map(rows.map(({ type, name, ...head }) => [keyOf({ type, name }), head]));
}
