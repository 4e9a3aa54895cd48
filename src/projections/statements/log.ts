import { Parameters, statement, type Statement } from '../../datasource/statement.js';
import type { EventRow } from '../../events/event-row.js';

// Reading the whole log in commit order, for projections and change feeds.

/** A place in the log in commit order. '0' / 0 is "before everything". */
export interface LogCursor {
  txId: string;
  position: number;
}

/** One event of the log in commit order, with its changeset's actor and source. */
export interface LogRow extends EventRow {
  position: number;
  tx_id: string;
  changeset_id: string;
  actor: string | null;
  source: string;
  /** ISO 8601 with milliseconds, as the server formats it: a replay parses no dates. */
  recorded_at: string;
}

const logRowColumns = `e.position, e.tx_id::text AS tx_id, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot,
       to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, e.changeset_id, c.actor, c.source`;

/**
 * The next events after `cursor` in commit order (of some types, when given). Only transactions older
 * than every running one are read (tx_id below the snapshot's xmin): a transaction still open may yet
 * commit with a smaller tx_id than events already visible, and reading past it would skip its events.
 * With `committedBefore` (a snapshot taken when a feed started "from now"), events of transactions that
 * snapshot saw committed are left out: they happened before the feed started, though a transaction still
 * open then kept them above the starting cursor.
 */
export function committedLogAfter(
  cursor: LogCursor,
  limit: number,
  filter: { types?: readonly string[]; committedBefore?: string } = {},
): Statement<LogRow> {
  const values = new Parameters();
  const after = `(e.tx_id, e.position) > (${values.bind(cursor.txId)}::text::xid8, ${values.bind(cursor.position)}::bigint)`;
  const types = filter.types ? ` AND e.type = ANY(${values.bind(filter.types)}::text[])` : '';
  const started = filter.committedBefore
    ? ` AND NOT pg_visible_in_snapshot(e.tx_id, ${values.bind(filter.committedBefore)}::text::pg_snapshot)`
    : '';
  return statement(
    'committed-log-after',
    `SELECT ${logRowColumns}
     FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
     WHERE ${after}
       AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())${types}${started}
     ORDER BY e.tx_id, e.position LIMIT ${values.bind(limit)}`,
    values.values,
  );
}

/**
 * Whether events after `cursor` are committed, whatever runs elsewhere: after `committedLogAfter` read them
 * all, any such event is held back by a transaction still running (see there).
 */
export function anyCommittedAfter(cursor: LogCursor): Statement<{ any: boolean }> {
  return statement(
    'any-committed-after',
    'SELECT EXISTS (SELECT 1 FROM metadata_events e WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint)) AS any',
    [cursor.txId, cursor.position],
  );
}

/** Everything after `cursor`, without the commit-safety filter: only valid while appends are locked out. */
export function logAfterUnderLock(cursor: LogCursor, limit: number): Statement<LogRow> {
  return statement(
    'log-after-under-lock',
    `SELECT ${logRowColumns}
     FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
     WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint) ORDER BY e.tx_id, e.position LIMIT $3`,
    [cursor.txId, cursor.position, limit],
  );
}

/** How many events the log holds. */
export function countEvents(): Statement<{ total: number }> {
  return statement('count-events', 'SELECT count(*) AS total FROM metadata_events');
}

/** Holds off every append until the transaction ends (appends take this lock first). */
export function lockOutAppends(): Statement<never> {
  return statement('lock-out-appends', 'LOCK TABLE metadata_streams IN SHARE MODE');
}
