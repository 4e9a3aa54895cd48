import { statement, type Statement } from '../../datasource/statement.js';

// The anchor's reads: the log (pruned events included) as one line per event, in position order.

/**
 * One line per event: `position item_id version changeset_id recorded_at(epoch µs) hash`. A pruned event
 * keeps the same line (metadata_pruned_events), so an anchor outlives retention. An auditor can
 * recompute an anchor with psql and sha256sum alone (see docs/history.md).
 */
export const anchorLineSql = `concat_ws(' ', position, item_id, version, changeset_id, (extract(epoch FROM recorded_at) * 1000000)::bigint, hash)`;

/** Where the previous page of anchor lines ended: a position, and 0 for an event or 1 for a pruned one. */
export interface AnchorCursor {
  position: number;
  src: number;
}

/** The next page of anchor lines after the cursor, up to log position `upTo`. */
export function anchorLines(after: AnchorCursor, upTo: number, limit: number): Statement<{ position: number; src: number; line: string }> {
  return statement(
    'anchor-lines',
    `SELECT position, src, ${anchorLineSql} AS line FROM (
       SELECT position, 0 AS src, item_id, version, changeset_id, recorded_at, hash FROM metadata_events WHERE position >= $1 AND position <= $3
       UNION ALL
       SELECT position, 1 AS src, item_id, version, changeset_id, recorded_at, hash FROM metadata_pruned_events WHERE position >= $1 AND position <= $3
     ) l
     WHERE (position, src) > ($1::bigint, $2::int)
     ORDER BY position, src LIMIT $4`,
    [after.position, after.src, upTo, limit],
  );
}

/**
 * Waits for the writes in flight: writers hold their lock on the log until they commit, so once this
 * SHARE lock is granted every position drawn so far is final (in a transaction, until it ends).
 */
export function lockLogForAnchor(): Statement<never> {
  return statement('lock-log-for-anchor', 'LOCK TABLE metadata_events IN SHARE MODE');
}

/** The last log position drawn, pruned events included (0 for an empty log). */
export function lastLogPosition(): Statement<{ position: number }> {
  return statement(
    'last-log-position',
    'SELECT greatest((SELECT max(position) FROM metadata_events), (SELECT max(position) FROM metadata_pruned_events), 0) AS position',
  );
}
