import type { SqlRunner } from '../../datasource/sql-runner.js';
import { MetaledgerError, NotFoundError } from '../../errors.js';
import type { ItemDocument } from '../../events/document.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import type { RevertEventInput, RevertItemInput } from './plan-revert.js';
import { readChangeset, readChangesetEvents, readHeads, readLaterEvents, readRevertsOf, type Statement } from './revert-statements.js';

type EventRow = RevertEventInput & { itemId: string };
type HeadRow = StreamHead & { type: string; name: string; document: ItemDocument | null };

/** The items to plan, and the heads their events will build on. */
export interface RevertInput {
  items: RevertItemInput[];
  heads: Map<string, StreamHead>;
}

const runStatement = <R>(run: SqlRunner, statement: Statement) => run<R>(statement.text, statement.values);

/** The events of each item, grouped by item id in the order read. */
function byItem(rows: EventRow[]): Map<string, RevertEventInput[]> {
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
export async function readRevertInput(run: SqlRunner, changesetId: string): Promise<RevertInput> {
  const [changeset] = await runStatement<{ eventCount: number }>(run, readChangeset(changesetId));
  if (!changeset) throw new NotFoundError(`no changeset ${changesetId}`);
  const rows = await runStatement<EventRow>(run, readChangesetEvents(changesetId));
  if (rows.length < Number(changeset.eventCount)) {
    throw new MetaledgerError(
      'HISTORY_PRUNED',
      `changeset ${changesetId} wrote ${changeset.eventCount} events and ${changeset.eventCount - rows.length} of them were pruned: it cannot be reverted`,
    );
  }
  const reverted = byItem(rows);
  const heads = await runStatement<HeadRow>(run, readHeads([...reverted.keys()]));
  const headOf = new Map(heads.map((head) => [head.itemId, { ...head, version: Number(head.version) }]));
  const windows = [...reverted].map(([itemId, events]) => ({
    itemId,
    after: events[events.length - 1].version,
    upTo: headOf.get(itemId)!.version,
  }));
  const later = byItem(await runStatement<EventRow>(run, readLaterEvents(windows)));
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
export async function revertInForce(run: SqlRunner, changesetId: string): Promise<string | undefined> {
  const reverts = await runStatement<{ id: string }>(run, readRevertsOf(changesetId));
  for (const { id } of reverts) if ((await revertInForce(run, id)) === undefined) return id;
  return undefined;
}
