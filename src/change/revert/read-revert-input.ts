import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { runStatement } from '../../datasource/statement.js';
import { MetaledgerError, NotFoundError } from '../../errors.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import type { RevertEventInput, RevertItemInput } from './plan-revert.js';
import { readChangeset, readChangesetEvents, readHeads, readLaterEvents, readRevertsOf, type RevertEventRow } from './revert-statements.js';

/** The items to plan, and the heads their events will build on. */
export interface RevertInput {
  items: RevertItemInput[];
  heads: Map<string, StreamHead>;
}

/** The events of each item, grouped by item id in the order read. */
function byItem(rows: RevertEventRow[]): Map<string, RevertEventInput[]> {
  const grouped = new Map<string, RevertEventInput[]>();
  for (const { itemId, ...event } of rows)
    grouped.set(itemId, [...(grouped.get(itemId) ?? []), { ...event, version: Number(event.version) }]);
  return grouped;
}

/**
 * What planning the revert of a changeset needs, per item it touched: its events in the changeset, the
 * events since and its head. NOT_FOUND when no changeset has the id; HISTORY_PRUNED when pruning removed
 * some of its events (their inverses are gone with them).
 */
export async function readRevertInput(db: MetaledgerDb, changesetId: string): Promise<RevertInput> {
  const [changeset] = await runStatement(db, readChangeset(changesetId));
  if (!changeset) throw new NotFoundError(`no changeset ${changesetId}`);
  const rows = await runStatement(db, readChangesetEvents(changesetId));
  if (rows.length < Number(changeset.eventCount)) {
    throw new MetaledgerError(
      'HISTORY_PRUNED',
      `changeset ${changesetId} wrote ${changeset.eventCount} events and ${changeset.eventCount - rows.length} of them were pruned: it cannot be reverted`,
    );
  }
  const reverted = byItem(rows);
  const heads = await runStatement(db, readHeads([...reverted.keys()]));
  const headOf = new Map(heads.map((head) => [head.itemId, { ...head, version: Number(head.version) }]));
  const windows = [...reverted].map(([itemId, events]) => ({
    itemId,
    after: events[events.length - 1].version,
    upTo: headOf.get(itemId)!.version,
  }));
  const later = byItem(await runStatement(db, readLaterEvents(windows)));
  const items = [...reverted].map(([itemId, events]) => {
    const head = headOf.get(itemId)!;
    return {
      itemId,
      type: head.type,
      name: head.name,
      version: head.version,
      current: head.document,
      reverted: events,
      later: later.get(itemId) ?? [],
    };
  });
  return { items, heads: headOf };
}

/**
 * The revert in force for a changeset, if any: a changeset reverting it that is not itself reverted
 * (reverting a revert lets the original be reverted again).
 */
export async function revertInForce(db: MetaledgerDb, changesetId: string): Promise<string | undefined> {
  const reverts = await runStatement(db, readRevertsOf(changesetId));
  for (const { id } of reverts) if ((await revertInForce(db, id)) === undefined) return id;
  return undefined;
}
