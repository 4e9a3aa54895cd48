import { CompiledQuery } from 'kysely';
import type { ItemDocument } from '../events/document.js';
import type { EventRow } from '../events/event-row.js';
import { applyPatch } from '../events/patch.js';
import { replayEvent } from '../events/replay.js';
import { statesAtVersions } from '../history/states-at.js';
import type { ProjectedEvent } from './projection.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** A place in the log in commit order. '0' / 0 is "before everything". */
export interface LogCursor {
  txId: string;
  position: number;
}

export const logStart: LogCursor = { txId: '0', position: 0 };

export interface LogRow extends EventRow {
  position: number;
  tx_id: string;
  changeset_id: string;
  actor: string | null;
  source: string;
  /** ISO 8601 with milliseconds, as the server formats it: a replay parses no dates. */
  recorded_at: string;
}

/** The columns of a log row, from `metadata_events e JOIN metadata_changesets c`. */
export const logRowColumns = `e.position, e.tx_id::text AS tx_id, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot,
       to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, e.changeset_id, c.actor, c.source`;

/**
 * The next events after `cursor` in commit order. Only transactions older than every running one are
 * read (tx_id below the snapshot's xmin): a transaction still open may yet commit with a smaller tx_id
 * than events already visible, and reading past it would skip its events for good.
 */
export async function readLogAfter(
  db: MetaledgerDb,
  cursor: LogCursor,
  limit: number,
  filter: { types?: string[] } = {},
): Promise<LogRow[]> {
  const { rows } = await db.executeQuery<LogRow>(
    CompiledQuery.raw(
      `SELECT ${logRowColumns}
       FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
       WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint)
         AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
         AND ($3::text[] IS NULL OR e.type = ANY($3::text[]))
       ORDER BY e.tx_id, e.position LIMIT $4`,
      [cursor.txId, cursor.position, filter.types ?? null, limit],
    ),
  );
  return rows;
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
