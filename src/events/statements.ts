import { statement, type Statement } from '../datasource/statement.js';
import type { ItemDocument } from './document.js';
import type { ItemKey } from './stream-key.js';

// The event log's statements outside the append itself: stream heads, a bulk operation's changeset,
// and the log's positions and counts.

/** A stream head as read from metadata_streams (the shape of `StreamHead`). */
export interface StreamHeadRow {
  itemId: string;
  version: number;
  hash: string;
  document: ItemDocument | null;
}

/** One item's head by (type, name); `lock` holds the stream row until the transaction ends. */
export function streamHead(type: string, name: string, lock = false): Statement<StreamHeadRow> {
  const text = `SELECT item_id AS "itemId", version, hash, document FROM metadata_streams WHERE type = $1 AND name = $2`;
  return statement(lock ? 'stream-head-for-update' : 'stream-head', lock ? `${text} FOR UPDATE` : text, [type, name]);
}

/** Which stream heads a page reads: some types only, after an item id, up to a count (each optional). */
export interface StreamHeadsFilter {
  types?: string[];
  afterItemId?: string;
  limit?: number;
}

/**
 * A page of stream heads in item order. Every filter is bound even when absent (null disables it), so
 * the text is one per store whatever the filter.
 */
export function streamHeadsPage(filter: StreamHeadsFilter = {}): Statement<StreamHeadRow & ItemKey> {
  return statement(
    'stream-heads-page',
    `SELECT item_id AS "itemId", type, name, version, hash, document FROM metadata_streams
     WHERE ($1::text[] IS NULL OR type = ANY($1::text[]))
       AND ($2::uuid IS NULL OR item_id > $2::uuid)
     ORDER BY item_id LIMIT $3`,
    [filter.types ?? null, filter.afterItemId ?? null, filter.limit ?? null],
  );
}

/** The heads of a batch of items in one statement: the keys go as one jsonb array; unwritten items have no row. */
export function streamHeadsOf(items: readonly ItemKey[]): Statement<StreamHeadRow & ItemKey> {
  return statement(
    'stream-heads-of',
    `SELECT s.type, s.name, s.item_id AS "itemId", s.version, s.hash, s.document
     FROM jsonb_to_recordset($1::jsonb) AS k(type text, name text)
     JOIN metadata_streams s ON s.type = k.type AND s.name = k.name`,
    [JSON.stringify(items.map(({ type, name }) => ({ type, name })))],
  );
}

/** The changeset fields a bulk operation records up front (see `ChangesetInfo`). */
export interface ChangesetHeader {
  id: string;
  actor?: string;
  reason?: string;
  correlationId?: string;
  source: string;
}

/**
 * A bulk operation's changeset, inserted before its batches (each joins it) with no events yet;
 * `settleChangeset` counts them at the end. `hashVersion` is the event hash version the batches write.
 */
export function insertChangeset(changeset: ChangesetHeader, hashVersion: number): Statement<never> {
  return statement(
    'insert-changeset',
    `INSERT INTO metadata_changesets (id, actor, reason, correlation_id, source, event_count, created_at, hash_version)
     VALUES ($1::uuid, $2, $3, $4, $5, 0, date_trunc('milliseconds', now()), $6)`,
    [changeset.id, changeset.actor ?? null, changeset.reason ?? null, changeset.correlationId ?? null, changeset.source, hashVersion],
  );
}

/**
 * Records how many events joined the changeset, or removes it when none did, in one statement (the
 * data-modifying CTEs run whether or not they are read); returns the count.
 */
export function settleChangeset(id: string): Statement<{ events: number }> {
  return statement(
    'settle-changeset',
    `WITH counted AS (SELECT count(*)::int AS events FROM metadata_events WHERE changeset_id = $1::uuid),
     settled AS (UPDATE metadata_changesets SET event_count = (SELECT events FROM counted) WHERE id = $1::uuid AND (SELECT events FROM counted) > 0),
     emptied AS (DELETE FROM metadata_changesets WHERE id = $1::uuid AND (SELECT events FROM counted) = 0)
     SELECT events FROM counted`,
    [id],
  );
}

/** The last position of the live log (null when it is empty; pruned events are not counted). */
export function lastEventPosition(): Statement<{ position: number | string | null }> {
  return statement('last-event-position', 'SELECT max(position) AS position FROM metadata_events');
}

/** The last position recorded at or before a date-time (null when none was). */
export function lastPositionRecordedBy(asOf: Date): Statement<{ position: number | string | null }> {
  return statement('last-position-recorded-by', 'SELECT max(position) AS position FROM metadata_events WHERE recorded_at <= $1', [asOf]);
}

/** How many items are live and how many deleted (exact: a metadata store is small). */
export function streamCounts(): Statement<{ live: number; deleted: number }> {
  return statement(
    'stream-counts',
    `SELECT count(*) FILTER (WHERE document IS NOT NULL)::int AS live, count(*) FILTER (WHERE document IS NULL)::int AS deleted
     FROM metadata_streams`,
  );
}

/** How many events the live log holds, its last position and when the last one was recorded. */
export function eventLogSummary(): Statement<{ count: number; last_position: number | null; last_recorded_at: Date | null }> {
  return statement(
    'event-log-summary',
    `SELECT count(*)::int AS count, max(position)::float8 AS last_position, max(recorded_at) AS last_recorded_at
     FROM metadata_events`,
  );
}

/**
 * Where a feed "from now" starts: the last event every running transaction is past (no row: none yet),
 * and the snapshot that tells the events committed since it but before now.
 */
export function feedStart(): Statement<{ tx_id: string | null; position: number | null; snapshot: string }> {
  return statement(
    'feed-start',
    `SELECT e.tx_id::text AS tx_id, e.position, s.snapshot::text AS snapshot
     FROM (SELECT pg_current_snapshot() AS snapshot) s
     LEFT JOIN LATERAL (
       SELECT tx_id, position FROM metadata_events
       WHERE tx_id < pg_snapshot_xmin(s.snapshot) ORDER BY tx_id DESC, position DESC LIMIT 1
     ) e ON true`,
  );
}
