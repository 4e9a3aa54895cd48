import { CompiledQuery } from 'kysely';
import { ValidationError } from '../errors.js';
import { statesAt } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** What `store.prune()` may remove: old events, always keeping the latest versions of every item. */
export interface PruneOptions {
  /** Events recorded before this moment may go. */
  before: Date | string;
  /** Always keep at least this many latest versions of every item (default 1). */
  keepVersions?: number;
}

/** How many items lost history, and how many events went. */
export interface PruneResult {
  items: number;
  eventsRemoved: number;
}

interface Cut {
  item_id: string;
  cut: number;
  first_recorded_at: Date;
  first_position: number;
}

/**
 * Removes old events. Per item, the state after the last removed event is kept as a prune point (with
 * that event's hash), so the current state and every later version still read, and the hash chain is
 * verifiable from the cut. Each removed event's position and hash stay (metadata_pruned_events), so
 * anchors taken before still verify. Runs in one transaction.
 */
export async function prune(db: MetaledgerDb, options: PruneOptions): Promise<PruneResult> {
  const before = new Date(options.before);
  const keepVersions = options.keepVersions ?? 1;
  const issues = [];
  if (Number.isNaN(before.getTime())) issues.push({ path: 'before', message: `"${String(options.before)}" is not a valid date-time` });
  if (!Number.isInteger(keepVersions) || keepVersions < 1) issues.push({ path: 'keepVersions', message: 'must be an integer >= 1' });
  if (issues.length) throw new ValidationError(issues, 'invalid prune options');
  return db.transaction().execute(async (trx) => {
    const { rows: cuts } = await trx.executeQuery<Cut>(
      CompiledQuery.raw(
        `SELECT e.item_id, least(max(e.version) FILTER (WHERE e.recorded_at < $1), s.version - $2) AS cut,
                coalesce(p.first_recorded_at, min(e.recorded_at)) AS first_recorded_at,
                coalesce(p.first_position, min(e.position)) AS first_position
         FROM metadata_events e JOIN metadata_streams s ON s.item_id = e.item_id
         LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
         GROUP BY e.item_id, s.version, p.first_recorded_at, p.first_position
         HAVING least(max(e.version) FILTER (WHERE e.recorded_at < $1), s.version - $2) >= min(e.version)`,
        [before, keepVersions],
      ),
    );
    let eventsRemoved = 0;
    for (const cut of cuts) {
      const state = (await statesAt(trx, { version: cut.cut }, { itemIds: [cut.item_id] })).get(cut.item_id)!;
      const { rows } = await trx.executeQuery<{ removed: number }>(
        CompiledQuery.raw(
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
          [cut.item_id, cut.cut, JSON.stringify(state.document), cut.first_recorded_at, cut.first_position],
        ),
      );
      eventsRemoved += Number(rows[0].removed);
    }
    return { items: cuts.length, eventsRemoved };
  });
}
