import { ValidationError } from '../errors.js';
import { statesAt } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { pruneCuts, pruneItem } from './statements/retention.js';

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
    const cuts = await runStatement(trx, pruneCuts(before, keepVersions));
    let eventsRemoved = 0;
    for (const cut of cuts) {
      const state = (await statesAt(trx, { version: cut.cut }, { itemIds: [cut.item_id] })).get(cut.item_id)!;
      const rows = await runStatement(trx, pruneItem(cut, state.document));
      eventsRemoved += Number(rows[0].removed);
    }
    return { items: cuts.length, eventsRemoved };
  });
}
