import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery } from 'kysely';
import type { FrameworkMetadataTable } from '../../projections/framework-metadata.js';
import type { ItemDocument } from '../events/document.js';
import type { IntegrityProblem } from './integrity-problem.js';
import { statesAtVersions } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

// The checks that look at the log as a whole rather than one round of items.

async function rows<T>(db: MetaledgerDb, text: string): Promise<T[]> {
  return (await db.executeQuery<T>(CompiledQuery.raw(text))).rows;
}

/** Stream heads of items the log has no event for. */
export async function streamsWithoutEvents(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await rows<{ type: string; name: string; version: number }>(
    db,
    `SELECT s.type, s.name, s.version FROM metadata_streams s WHERE NOT EXISTS (SELECT 1 FROM metadata_events e WHERE e.item_id = s.item_id)`,
  );
  return found.map((row) => ({
    kind: 'stream_head_mismatch' as const,
    ...row,
    detail: `stream head is version ${row.version} but the item has no events`,
  }));
}

/** Projection rows of items the log has no event for at all. */
export async function orphanRowProblems(db: MetaledgerDb, table: FrameworkMetadataTable): Promise<IntegrityProblem[]> {
  const c = table.columns;
  const found = await rows<{ type: string; name: string }>(
    db,
    `SELECT p.${c.type} AS type, p.${c.name} AS name FROM ${table.qualifiedName} p
     WHERE NOT EXISTS (
       SELECT 1 FROM metadata_streams s WHERE s.type = p.${c.type} AND s.name = p.${c.name}
         AND EXISTS (SELECT 1 FROM metadata_events e WHERE e.item_id = s.item_id))`,
  );
  return found.map((row) => ({ kind: 'projection_extra_row' as const, ...row, detail: 'row exists but the log says the item does not' }));
}

/**
 * Changesets (written with hash version 2) that lack events they recorded: events of theirs were
 * removed (a truncated tail, an erased item). Pruned events still count. More events than recorded is
 * not a finding: a bulk operation interrupted before it settled its count records 0.
 */
export async function changesetProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await rows<{ id: string; event_count: number; found: number }>(
    db,
    `SELECT c.id, c.event_count, coalesce(e.n, 0) + coalesce(x.n, 0) AS found
     FROM metadata_changesets c
     LEFT JOIN (SELECT changeset_id, count(*) AS n FROM metadata_events GROUP BY changeset_id) e ON e.changeset_id = c.id
     LEFT JOIN (SELECT changeset_id, count(*) AS n FROM metadata_pruned_events GROUP BY changeset_id) x ON x.changeset_id = c.id
     WHERE c.hash_version >= 2 AND coalesce(e.n, 0) + coalesce(x.n, 0) < c.event_count
     ORDER BY c.created_at, c.id`,
  );
  return found.map((row) => ({
    kind: 'changeset_mismatch' as const,
    changesetId: row.id,
    detail: `the changeset recorded ${row.event_count} events, the log holds ${Number(row.found)}: events were removed`,
  }));
}

/**
 * Each prune point against the events it replaced (metadata_pruned_events): the last one's version,
 * hash, position and time, the first one's position and time, and no version missing in between. Items
 * pruned before those were recorded (sql/0010) have nothing to compare with.
 */
export async function prunePointProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await rows<{ type: string | null; name: string | null; version: number; detail: string }>(
    db,
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
  return found
    .filter((row) => row.detail !== '')
    .map((row) => ({
      kind: 'prune_point_mismatch' as const,
      ...(row.type !== null && row.name !== null ? { type: row.type, name: row.name } : {}),
      version: row.version,
      detail: row.detail,
    }));
}

/**
 * Every compaction snapshot against the state folded from the log alone at its version. Items whose
 * log does not replay are skipped here: the replay check reports them.
 */
export async function compactionSnapshotProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const snapshots = await rows<{ item_id: string; type: string; name: string; version: number; document: ItemDocument | null }>(
    db,
    'SELECT m.item_id, s.type, s.name, m.version, m.document FROM metadata_snapshots m JOIN metadata_streams s ON s.item_id = m.item_id',
  );
  // statesAtVersions takes one version per item: check an item's k-th snapshot in round k
  const rounds: (typeof snapshots)[] = [];
  const seen = new Map<string, number>();
  for (const row of snapshots) {
    const round = seen.get(row.item_id) ?? 0;
    seen.set(row.item_id, round + 1);
    (rounds[round] ??= []).push(row);
  }
  const problems: IntegrityProblem[] = [];
  for (const round of rounds) {
    const unreplayable = new Set<string>();
    const fromLog = await statesAtVersions(
      db,
      round.map((row) => ({ itemId: row.item_id, version: row.version })),
      { useCompactionSnapshots: false, onReplayError: (itemId) => unreplayable.add(itemId) },
    );
    for (const row of round) {
      if (unreplayable.has(row.item_id) || isDeepStrictEqual(row.document, fromLog.get(row.item_id)?.document ?? null)) continue;
      problems.push({
        kind: 'snapshot_mismatch',
        type: row.type,
        name: row.name,
        version: row.version,
        detail: 'compaction snapshot differs from the log',
      });
    }
  }
  return problems;
}
