import { ConflictError } from '../../errors.js';
import type { PendingEvent } from '../../events/append-events.js';
import type { EventKind } from '../../events/document.js';
import { nextEvent } from '../../events/next-event.js';
import type { HistoryWriter } from '../../history/history-writer.js';
import { planRevert, type PlannedRevertItem, type RevertConflict, type RevertItemPlan } from './plan-revert.js';
import { readRevertInput, revertInForce } from './read-revert-input.js';
import { RevertConflictError } from './revert-conflict-error.js';
import type { RevertOptions } from './revert-options.js';

/** What a revert did, or (dry run) would do. */
export interface RevertResult {
  /** The changeset reverted. */
  changesetId: string;
  dryRun: boolean;
  /** How conflicts were (or would be) handled: `refuse` when no onConflict was given. */
  onConflict: 'refuse' | 'skip' | 'overwrite';
  /** Per item the changeset touched: what the revert does to it. */
  items: RevertItemPlan[];
  /** Every conflict of every item. */
  conflicts: RevertConflict[];
  /** The new changeset holding the revert's events; absent on a dry run or when there was nothing to write. */
  revertChangesetId?: string;
}

const eventKindOf = ({ now, then }: PlannedRevertItem): EventKind =>
  then === null ? 'deleted' : now === null ? 'restored' : 'rolled_back';

/**
 * Undoes exactly the events of one changeset as ONE new changeset (source `revert`, target
 * `{ revertOf }`), applying inverse changes to the items as they are now, so later changes to other
 * items and other paths stay. Planned inside the commit: an edit committing meanwhile makes the append
 * conflict and the plan is made again on the new state (where the edit may now be a conflict), so no
 * update is lost. Refused (CONFLICT) when the changeset is already reverted by a revert that was not
 * itself reverted, and when later changes conflict and no `onConflict` is given.
 */
export async function revertChangeset(writer: HistoryWriter, changesetId: string, options: RevertOptions = {}): Promise<RevertResult> {
  const { dryRun = false, onConflict, check, ...reason } = options;
  const context = {
    ...reason,
    reason: reason.reason ?? `revert changeset ${changesetId}`,
    source: 'revert',
    target: { revertOf: changesetId },
  };
  const { result, changesetId: revertChangesetId } = await writer.commitChangeset(context, async (db) => {
    const { items, heads } = await readRevertInput(db, changesetId);
    const revertedBy = await revertInForce(db, changesetId);
    if (revertedBy !== undefined)
      throw new ConflictError(
        `changeset ${changesetId} is already reverted by changeset ${revertedBy}; revert ${revertedBy} first to apply it again`,
      );
    const planned = planRevert(items, onConflict);
    check?.(planned);
    const conflicts = planned.flatMap(({ plan }) => plan.conflicts);
    if (conflicts.length > 0 && onConflict === undefined && !dryRun) throw new RevertConflictError(changesetId, conflicts);
    const events: PendingEvent[] = dryRun
      ? []
      : planned
          .filter(({ plan }) => plan.patch.length > 0)
          .map((item) =>
            nextEvent(heads.get(item.itemId)!, item.plan.type, item.plan.name, eventKindOf(item), item.then, writer.snapshotPolicy),
          );
    const outcome: RevertResult = {
      changesetId,
      dryRun,
      onConflict: onConflict ?? 'refuse',
      items: planned.map(({ plan }) => plan),
      conflicts,
    };
    return { result: outcome, events };
  });
  return revertChangesetId === undefined ? result : { ...result, revertChangesetId };
}
