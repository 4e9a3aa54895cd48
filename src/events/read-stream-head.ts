import { runStatement } from '../datasource/statement.js';
import { kyselyRunner, type SqlRunner } from '../datasource/sql-runner.js';
import type { ItemDocument } from './document.js';
import { streamHead, streamHeadsOf, streamHeadsPage, type StreamHeadsFilter } from './statements.js';
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

/** The item's head; `lock` holds the stream row until the transaction ends (writers queue instead of retrying). */
export async function readStreamHead(
  db: MetaledgerDb | SqlRunner,
  type: string,
  name: string,
  options: { lock?: boolean } = {},
): Promise<StreamHead | null> {
  // a runner (the write path's) may run it as a prepared statement: its text is fixed per lock mode
  const run = typeof db === 'function' ? db : kyselyRunner(db);
  const { text, values } = streamHead(type, name, options.lock);
  const [head] = await run<StreamHead>(text, [...values]);
  return head ?? null;
}

/** Heads of every stream (optionally of some types) in item order, a page at a time. */
export async function readStreamHeads(
  db: MetaledgerDb,
  options: StreamHeadsFilter = {},
): Promise<(StreamHead & { type: string; name: string })[]> {
  return runStatement(db, streamHeadsPage(options));
}

/** The stream heads of a batch of items in one query, keyed by `keyOf`; items never written have no entry. */
export async function readHeadsOf(db: MetaledgerDb, items: ItemKey[]): Promise<Map<string, StreamHead>> {
  const rows = await runStatement(db, streamHeadsOf(items));
  return new Map(rows.map(({ type, name, ...head }) => [keyOf({ type, name }), head]));
}
