import { statement, type Statement } from '../../datasource/statement.js';
import type { EventKind, ItemDocument } from '../../events/document.js';
import type { PatchOperation } from '../../events/patch.js';

// What retention writes beside the log: compaction snapshots and prune points (with what they replaced).

/** Items with a stretch of more than `every` versions without a full state (the head counts as an end). */
export function itemsWithLongChains(every: number): Statement<{ item_id: string }> {
  return statement(
    'items-with-long-chains',
    `WITH fulls AS (
       SELECT item_id, version FROM metadata_events WHERE snapshot IS NOT NULL
       UNION SELECT item_id, version FROM metadata_snapshots
       UNION SELECT item_id, version FROM metadata_prune_points
       UNION SELECT item_id, version + 1 FROM metadata_streams
     ), gaps AS (
       SELECT item_id, version - lag(version) OVER (PARTITION BY item_id ORDER BY version) AS gap FROM fulls
     )
     SELECT DISTINCT item_id FROM gaps WHERE gap > $1`,
    [every],
  );
}

/** One retained event of an item as compaction folds it. */
export interface CompactionRow {
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  patch: PatchOperation[];
  snapshot: ItemDocument | null;
  /** A compaction snapshot exists at this version. */
  side: boolean;
  prune_version: number | null;
  prune_document: ItemDocument | null;
}

/** One item's retained events, oldest first, with where its full states already are. */
export function compactionEvents(itemId: string): Statement<CompactionRow> {
  return statement(
    'compaction-events',
    `SELECT e.type, e.name, e.version, e.kind, e.patch, e.snapshot, (m.item_id IS NOT NULL) AS side,
            p.version AS prune_version, p.document AS prune_document
     FROM metadata_events e
     LEFT JOIN metadata_snapshots m ON m.item_id = e.item_id AND m.version = e.version
     LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
     WHERE e.item_id = $1 ORDER BY e.version`,
    [itemId],
  );
}

/** Writes compaction snapshots of one item (those already there are kept). */
export function insertSnapshots(itemId: string, snapshots: readonly { version: number; document: ItemDocument | null }[]): Statement {
  return statement(
    'insert-snapshots',
    `INSERT INTO metadata_snapshots (item_id, version, document)
     SELECT $1, t.version, t.document FROM jsonb_to_recordset($2::jsonb) AS t(version integer, document jsonb)
     ON CONFLICT DO NOTHING`,
    [itemId, JSON.stringify(snapshots)],
  );
}

/** Where prune cuts one item: its last version to remove, and where its history first began. */
export interface PruneCut {
  item_id: string;
  cut: number;
  first_recorded_at: Date;
  first_position: number;
}

/** Per item with events recorded before `before`: the last version to remove, keeping `keepVersions` latest ones. */
export function pruneCuts(before: Date, keepVersions: number): Statement<PruneCut> {
  return statement(
    'prune-cuts',
    `SELECT e.item_id, least(max(e.version) FILTER (WHERE e.recorded_at < $1), s.version - $2) AS cut,
            coalesce(p.first_recorded_at, min(e.recorded_at)) AS first_recorded_at,
            coalesce(p.first_position, min(e.position)) AS first_position
     FROM metadata_events e JOIN metadata_streams s ON s.item_id = e.item_id
     LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
     GROUP BY e.item_id, s.version, p.first_recorded_at, p.first_position
     HAVING least(max(e.version) FILTER (WHERE e.recorded_at < $1), s.version - $2) >= min(e.version)`,
    [before, keepVersions],
  );
}

/**
 * Removes one item's events up to the cut: the state there becomes its prune point (with the last
 * removed event's hash), its compaction snapshots up to the cut go, and each removed event's place and
 * hash are kept in metadata_pruned_events. Returns how many events were removed.
 */
export function pruneItem(cut: PruneCut, document: ItemDocument | null): Statement<{ removed: number }> {
  return statement(
    'prune-item',
    `WITH last AS (SELECT hash, recorded_at, position FROM metadata_events WHERE item_id = $1 AND version = $2),
     point AS (
       INSERT INTO metadata_prune_points (item_id, version, document, hash, recorded_at, position, first_recorded_at, first_position)
       SELECT $1, $2, $3::jsonb, hash, recorded_at, position, $4, $5 FROM last
       ON CONFLICT (item_id) DO UPDATE SET version = excluded.version, document = excluded.document, hash = excluded.hash,
         recorded_at = excluded.recorded_at, position = excluded.position, pruned_at = now()
     ), compacted AS (DELETE FROM metadata_snapshots WHERE item_id = $1 AND version <= $2),
     removed AS (
       DELETE FROM metadata_events WHERE item_id = $1 AND version <= $2
       RETURNING position, item_id, version, changeset_id, recorded_at, hash
     ), kept AS (
       INSERT INTO metadata_pruned_events (position, item_id, version, changeset_id, recorded_at, hash)
       SELECT position, item_id, version, changeset_id, recorded_at, hash FROM removed
     )
     SELECT count(*) AS removed FROM removed`,
    [cut.item_id, cut.cut, JSON.stringify(document), cut.first_recorded_at, cut.first_position],
  );
}
