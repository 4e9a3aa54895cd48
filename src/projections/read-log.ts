import type { ItemDocument } from '../events/document.js';
import { applyPatch } from '../events/patch.js';
import { replayEvent } from '../events/replay.js';
import { statesAtVersions } from '../history/states-at.js';
import type { ProjectedEvent } from './projection.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { committedLogAfter, type LogCursor, type LogRow } from './statements/log.js';

export type { LogCursor, LogRow } from './statements/log.js';

export const logStart: LogCursor = { txId: '0', position: 0 };

/** The next committed events after `cursor` in commit order (see `committedLogAfter`: none is ever skipped). */
export async function readLogAfter(
  db: MetaledgerDb,
  cursor: LogCursor,
  limit: number,
  filter: { types?: string[]; committedBefore?: string } = {},
): Promise<LogRow[]> {
  return runStatement(db, committedLogAfter(cursor, limit, filter));
}

/**
 * Loads into `known` the state before the first event in `rows` of each item it does not hold yet: one
 * fold query for all of them.
 */
export async function loadStatesBefore(db: MetaledgerDb, rows: LogRow[], known: Map<string, ItemDocument | null>): Promise<void> {
  const firstVersion = new Map<string, number>();
  for (const row of rows) if (!known.has(row.item_id) && !firstVersion.has(row.item_id)) firstVersion.set(row.item_id, row.version);
  if (firstVersion.size === 0) return;
  const before = await statesAtVersions(
    db,
    [...firstVersion].map(([itemId, version]) => ({ itemId, version: version - 1 })),
  );
  for (const itemId of firstVersion.keys()) known.set(itemId, before.get(itemId)?.document ?? null);
}

/** The item's state after `row`, given the state before it; `apply` decides whether that state is copied. */
export function stateAfter(row: LogRow, previous: ItemDocument | null, apply: typeof applyPatch = applyPatch): ItemDocument | null {
  if (row.kind === 'deleted') return null;
  return previous === null && row.snapshot ? row.snapshot : replayEvent(row, previous, apply);
}

export function projectedEvent(row: LogRow, previous: ItemDocument | null, document: ItemDocument | null): ProjectedEvent {
  return {
    position: Number(row.position),
    txId: row.tx_id,
    itemId: row.item_id,
    type: row.type,
    name: row.name,
    version: row.version,
    kind: row.kind,
    patch: row.patch,
    recordedAt: row.recorded_at,
    changesetId: row.changeset_id,
    actor: row.actor,
    source: row.source,
    previous,
    document,
  };
}

/**
 * Gives each event the item's state before and after it: the states before the batch from `known` or
 * one fold query, then the batch's own patches in order.
 */
export async function withStates(
  db: MetaledgerDb,
  rows: LogRow[],
  known: Map<string, ItemDocument | null> = new Map(),
): Promise<ProjectedEvent[]> {
  // `known` carries states across batches when the caller replays the log in order (a rebuild)
  await loadStatesBefore(db, rows, known);
  return rows.map((row) => {
    const previous = known.get(row.item_id) ?? null;
    const document = stateAfter(row, previous);
    known.set(row.item_id, document);
    return projectedEvent(row, previous, document);
  });
}

export function cursorOf(event: { txId: string; position: number }): LogCursor {
  return { txId: event.txId, position: event.position };
}
