import { CompiledQuery } from 'kysely';
import { ValidationError } from '../errors.js';
import type { EventKind, ItemDocument } from '../events/document.js';
import { applyPatch, type PatchOperation } from '../events/patch.js';
import { replayEvent } from '../events/replay.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

export interface CompactResult {
  items: number;
  snapshots: number;
}

/** Items with a stretch of more than `every` versions without a full state (the head counts as an end). */
const longChains = `
  WITH fulls AS (
    SELECT item_id, version FROM metadata_events WHERE snapshot IS NOT NULL
    UNION SELECT item_id, version FROM metadata_snapshots
    UNION SELECT item_id, version FROM metadata_prune_points
    UNION SELECT item_id, version + 1 FROM metadata_streams
  ), gaps AS (
    SELECT item_id, version - lag(version) OVER (PARTITION BY item_id ORDER BY version) AS gap FROM fulls
  )
  SELECT DISTINCT item_id FROM gaps WHERE gap > $1`;

/**
 * Snapshot compaction: writes full states (metadata_snapshots) into every stretch of an item's history
 * longer than `every` versions, so reading any version folds at most `every` patches again — for
 * example after the snapshot interval was lowered. The log itself is never touched.
 */
export async function compactSnapshots(db: MetaledgerDb, every: number): Promise<CompactResult> {
  if (!Number.isInteger(every) || every < 1)
    throw new ValidationError([{ path: 'every', message: 'must be an integer >= 1' }], 'invalid compaction options');
  const { rows: items } = await db.executeQuery<{ item_id: string }>(CompiledQuery.raw(longChains, [every]));
  let snapshots = 0;
  for (const { item_id: itemId } of items) snapshots += await compactItem(db, itemId, every);
  return { items: items.length, snapshots };
}

async function compactItem(db: MetaledgerDb, itemId: string, every: number): Promise<number> {
  const { rows } = await db.executeQuery<{
    type: string;
    name: string;
    version: number;
    kind: EventKind;
    patch: PatchOperation[];
    snapshot: ItemDocument | null;
    side: boolean;
    prune_version: number | null;
    prune_document: ItemDocument | null;
  }>(
    CompiledQuery.raw(
      `SELECT e.type, e.name, e.version, e.kind, e.patch, e.snapshot, (m.item_id IS NOT NULL) AS side, p.version AS prune_version, p.document AS prune_document
       FROM metadata_events e
       LEFT JOIN metadata_snapshots m ON m.item_id = e.item_id AND m.version = e.version
       LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
       WHERE e.item_id = $1 ORDER BY e.version`,
      [itemId],
    ),
  );
  if (rows.length === 0) return 0;
  let state: ItemDocument | null = rows[0].prune_document;
  let lastFull = rows[0].prune_version ?? 0;
  const taken: { version: number; document: ItemDocument | null }[] = [];
  for (const row of rows) {
    state = row.kind === 'deleted' ? null : (row.snapshot ?? replayEvent(row, state, applyPatch));
    if (row.snapshot || row.side) lastFull = row.version;
    else if (row.version - lastFull >= every) {
      taken.push({ version: row.version, document: state });
      lastFull = row.version;
    }
  }
  if (taken.length === 0) return 0;
  await db.executeQuery(
    CompiledQuery.raw(
      `INSERT INTO metadata_snapshots (item_id, version, document)
       SELECT $1, t.version, t.document FROM jsonb_to_recordset($2::jsonb) AS t(version integer, document jsonb)
       ON CONFLICT DO NOTHING`,
      [itemId, JSON.stringify(taken)],
    ),
  );
  return taken.length;
}
