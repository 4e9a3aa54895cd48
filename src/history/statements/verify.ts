import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { recordColumnsSql } from '../../table/table-sql.js';
import { statement, type Statement } from '../../datasource/statement.js';
import type { ItemDocument } from '../../events/document.js';
import { changesetHashInputs, eventHashV2Sql, hashEnvelopeSql } from '../../events/event-hash.js';
import type { FoldRow } from './time-travel.js';

// verify()'s reads: the log re-hashed and replayed a round of items at a time, and the checks of the
// log as a whole (changesets, prune points, compaction snapshots, rows without events).

/** The next round of item ids after `after` (null: from the start). */
export function nextItemIds(after: string | null, limit: number): Statement<{ item_id: string }> {
  return statement(
    'next-item-ids',
    'SELECT DISTINCT item_id FROM metadata_events WHERE $1::uuid IS NULL OR item_id > $1::uuid ORDER BY item_id LIMIT $2',
    [after, limit],
  );
}

/** One event re-hashed, next to its predecessor (or prune point) and its changeset's hash version. */
export interface ChainRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  position: number;
  hash: string;
  prev_hash: string | null;
  hash_version: number;
  /** The hash recomputed by the formula of the event's hash version (null: no such formula). */
  recomputed: string | null;
  changeset_id: string;
  /** Null when the changeset row is gone. */
  changeset_hash_version: number | null;
  previous_hash: string | null;
  previous_version: number | null;
  previous_position: number | null;
  previous_hash_version: number | null;
  prune_version: number | null;
  prune_hash: string | null;
  prune_position: number | null;
}

/** The envelope of a stored event, from its columns: what the append statement hashed. */
const storedEnvelope = hashEnvelopeSql((field) => `e.${field}`);

/** The version-2 hash of a stored event and its changeset, recomputed. */
const storedHashV2 = eventHashV2Sql({
  prevHash: 'e.prev_hash',
  position: 'e.position',
  txId: 'e.tx_id',
  itemId: 'e.item_id',
  type: 'e.type',
  name: 'e.name',
  version: 'e.version',
  kind: 'e.kind',
  patch: 'e.patch',
  inverse: 'e.inverse',
  snapshot: 'e.snapshot',
  envelope: storedEnvelope,
  recordedAt: 'e.recorded_at',
  changesetId: 'e.changeset_id',
  ...changesetHashInputs,
});

/**
 * The events of the items from `from` to `to` re-hashed in SQL by the formula that wrote them (per hash
 * version; version 2 also hashes the changeset's who / why / when), each next to its predecessor.
 */
export function hashChain(from: string, to: string): Statement<ChainRow> {
  return statement(
    'hash-chain',
    `SELECT e.item_id, e.type, e.name, e.version, e.position, e.hash, e.prev_hash, e.hash_version, e.changeset_id,
            CASE e.hash_version
              WHEN 1 THEN metadata_event_hash(e.prev_hash, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.inverse,
                                              e.snapshot, ${storedEnvelope}, e.changeset_id, e.recorded_at)
              WHEN 2 THEN ${storedHashV2}
            END AS recomputed,
            c.hash_version AS changeset_hash_version,
            lag(e.hash) OVER w AS previous_hash, lag(e.version) OVER w AS previous_version,
            lag(e.position) OVER w AS previous_position, lag(e.hash_version) OVER w AS previous_hash_version,
            p.version AS prune_version, p.hash AS prune_hash, p.position AS prune_position
     FROM metadata_events e
     LEFT JOIN metadata_changesets c ON c.id = e.changeset_id
     LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
     WHERE e.item_id BETWEEN $1::uuid AND $2::uuid
     WINDOW w AS (PARTITION BY e.item_id ORDER BY e.version)
     ORDER BY e.item_id, e.version`,
    [from, to],
  );
}

/** A column's time as epoch milliseconds. */
const epochMs = (column: string) => `(extract(epoch FROM ${column}::timestamptz) * 1000)::bigint`;

/** One event to replay, with its hash and who wrote it. */
export interface ReplayRow extends FoldRow {
  hash: string;
  actor: string | null;
  recorded_ms: number;
}

/** Every retained event of the items from `from` to `to`, in item and version order, each fold starting at the prune point if any. */
export function replayEvents(from: string, to: string): Statement<ReplayRow> {
  return statement(
    'replay-events',
    `SELECT e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot, e.recorded_at, e.hash, c.actor,
            ${epochMs('e.recorded_at')} AS recorded_ms,
            CASE WHEN p.item_id IS NULL THEN 'event' ELSE 'prune' END AS start_kind, p.document AS start_document
     FROM metadata_events e
     LEFT JOIN metadata_changesets c ON c.id = e.changeset_id
     LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
     WHERE e.item_id BETWEEN $1::uuid AND $2::uuid
     ORDER BY e.item_id, e.version`,
    [from, to],
  );
}

/** A stream head as verify compares it. */
export interface HeadRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  hash: string;
  document: ItemDocument | null;
  updated_ms: number;
}

/** The stream heads of the given items. */
export function streamHeadsOf(itemIds: readonly string[]): Statement<HeadRow> {
  return statement(
    'stream-heads-of',
    `SELECT item_id, type, name, version, hash, document, ${epochMs('updated_at')} AS updated_ms
     FROM metadata_streams WHERE item_id = ANY($1::uuid[])`,
    [itemIds],
  );
}

/** The projection rows of the given keys (as records, with their audit times in epoch milliseconds). */
export function projectionRowsOf(
  table: FrameworkMetadataTable,
  keys: readonly { type: string; name: string }[],
): Statement<Record<string, unknown>> {
  const c = table.columns;
  return statement(
    'projection-rows-of',
    `SELECT ${recordColumnsSql(table)}, ${epochMs(`p.${c.createdAt}`)} AS "createdMs", ${epochMs(`p.${c.updatedAt}`)} AS "updatedMs"
     FROM ${table.qualifiedName} p
     JOIN unnest($1::text[], $2::text[]) AS k(type, name) ON p.${c.type} = k.type AND p.${c.name} = k.name`,
    [keys.map((key) => key.type), keys.map((key) => key.name)],
  );
}

/** Stream heads of items the log has no event for. */
export function streamsWithoutEvents(): Statement<{ type: string; name: string; version: number }> {
  return statement(
    'streams-without-events',
    'SELECT s.type, s.name, s.version FROM metadata_streams s WHERE NOT EXISTS (SELECT 1 FROM metadata_events e WHERE e.item_id = s.item_id)',
  );
}

/** Projection rows of items the log has no event for at all. */
export function rowsWithoutEvents(table: FrameworkMetadataTable): Statement<{ type: string; name: string }> {
  const c = table.columns;
  return statement(
    'rows-without-events',
    `SELECT p.${c.type} AS type, p.${c.name} AS name FROM ${table.qualifiedName} p
     WHERE NOT EXISTS (
       SELECT 1 FROM metadata_streams s WHERE s.type = p.${c.type} AND s.name = p.${c.name}
         AND EXISTS (SELECT 1 FROM metadata_events e WHERE e.item_id = s.item_id))`,
  );
}

/** Changesets (hash version 2) holding fewer events, pruned ones included, than they recorded. */
export function changesetsMissingEvents(): Statement<{ id: string; event_count: number; found: number }> {
  return statement(
    'changesets-missing-events',
    `SELECT c.id, c.event_count, coalesce(e.n, 0) + coalesce(x.n, 0) AS found
     FROM metadata_changesets c
     LEFT JOIN (SELECT changeset_id, count(*) AS n FROM metadata_events GROUP BY changeset_id) e ON e.changeset_id = c.id
     LEFT JOIN (SELECT changeset_id, count(*) AS n FROM metadata_pruned_events GROUP BY changeset_id) x ON x.changeset_id = c.id
     WHERE c.hash_version >= 2 AND coalesce(e.n, 0) + coalesce(x.n, 0) < c.event_count
     ORDER BY c.created_at, c.id`,
  );
}

/**
 * Each prune point against the events it replaced: what differs, in words (empty when nothing does).
 * Items pruned before those were recorded (sql/0010) have nothing to compare with.
 */
export function prunePointChecks(): Statement<{ type: string | null; name: string | null; version: number; detail: string }> {
  return statement(
    'prune-point-checks',
    `WITH pruned AS (
       SELECT item_id, count(*) AS n, min(version) AS first_version, max(version) AS last_version,
              (array_agg(hash ORDER BY version DESC))[1] AS last_hash,
              (array_agg(position ORDER BY version DESC))[1] AS last_position,
              (array_agg(recorded_at ORDER BY version DESC))[1] AS last_recorded_at,
              min(position) AS first_position, min(recorded_at) AS first_recorded_at
       FROM metadata_pruned_events GROUP BY item_id
     )
     SELECT s.type, s.name, coalesce(p.version, x.last_version) AS version, concat_ws('; ',
         CASE WHEN p.item_id IS NULL THEN 'events were pruned but the prune point is gone' END,
         CASE WHEN x.item_id IS NULL THEN NULL
              WHEN x.last_version <> p.version OR x.last_hash <> p.hash OR x.last_position <> p.position OR x.last_recorded_at <> p.recorded_at
              THEN 'the cut differs from the last pruned event' END,
         CASE WHEN x.first_version = 1 AND (x.first_position <> p.first_position OR x.first_recorded_at <> p.first_recorded_at)
              THEN 'the first event''s position or time differs from the pruned events' END,
         CASE WHEN x.n <> x.last_version - x.first_version + 1 THEN 'pruned versions are missing' END) AS detail
     FROM metadata_prune_points p
     FULL JOIN pruned x ON x.item_id = p.item_id
     LEFT JOIN metadata_streams s ON s.item_id = coalesce(p.item_id, x.item_id)`,
  );
}

/** Every compaction snapshot with its item's key. */
export function compactionSnapshots(): Statement<{
  item_id: string;
  type: string;
  name: string;
  version: number;
  document: ItemDocument | null;
}> {
  return statement(
    'compaction-snapshots',
    'SELECT m.item_id, s.type, s.name, m.version, m.document FROM metadata_snapshots m JOIN metadata_streams s ON s.item_id = m.item_id',
  );
}
