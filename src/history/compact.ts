import { ValidationError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import { applyPatch } from '../events/patch.js';
import { replayEvent } from '../events/replay.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { compactionEvents, insertSnapshots, itemsWithLongChains } from './statements/retention.js';

export interface CompactResult {
  items: number;
  snapshots: number;
}

/**
 * Snapshot compaction: writes full states (metadata_snapshots) into every stretch of an item's history
 * longer than `every` versions, so reading any version folds at most `every` patches again — for
 * example after the snapshot interval was lowered. The log itself is never touched.
 */
export async function compactSnapshots(db: MetaledgerDb, every: number): Promise<CompactResult> {
  if (!Number.isInteger(every) || every < 1)
    throw new ValidationError([{ path: 'every', message: 'must be an integer >= 1' }], 'invalid compaction options');
  const items = await runStatement(db, itemsWithLongChains(every));
  let snapshots = 0;
  for (const { item_id: itemId } of items) snapshots += await compactItem(db, itemId, every);
  return { items: items.length, snapshots };
}

async function compactItem(db: MetaledgerDb, itemId: string, every: number): Promise<number> {
  const rows = await runStatement(db, compactionEvents(itemId));
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
  await runStatement(db, insertSnapshots(itemId, taken));
  return taken.length;
}
