import { ValidationError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import type { PendingEvent } from '../events/append-events.js';
import { diffStates, type PatchOperation } from '../events/patch.js';
import { readStreamHeads } from '../events/read-stream-head.js';
import { nextEvent } from '../events/next-event.js';
import type { ChangeReason, HistoryWriter } from './history-writer.js';
import { describeMoment, resolveMoment, type ResolvedMoment } from './moment.js';
import { statesAt } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { changesetAcross } from './statements/time-travel.js';

/** What `store.restore()` brings back: every item (or a namespace's, or some types') as it was at `asOf` or `position`. */
export interface RestoreOptions extends ChangeReason {
  /** The moment to go back to, as a timestamp. */
  asOf?: Date | string;
  /** The moment to go back to, as a log position (a changeset boundary). */
  position?: number;
  /** Only items in this namespace. */
  namespace?: string;
  /** Only items of these types. */
  types?: string[];
  /** Plan only: return the steps and write nothing. */
  dryRun?: boolean;
  /**
   * Sees every planned change (the item as it is and as it becomes) inside the restore's transaction,
   * before anything is written; throwing stops the restore. The HTTP API checks access rules here.
   */
  check?: (changes: PlannedRestoreChange[]) => void;
}

/** One item a restore changes, as it is now and as it will be. */
export interface PlannedRestoreChange {
  step: RestoreStep;
  now: ItemDocument | null;
  then: ItemDocument | null;
}

/** One item a restore changes, and how: revert to an older state, recreate a deleted item, or delete a newer one. */
export interface RestoreStep {
  type: string;
  name: string;
  action: 'revert' | 'recreate' | 'delete';
  fromVersion: number;
  patch: PatchOperation[];
}

/** The outcome of `store.restore()`: its moment and steps, and the changeset written (none on a dry run). */
export interface RestorePlan {
  moment: string;
  dryRun: boolean;
  steps: RestoreStep[];
  /** The changeset holding every restore event (absent on a dry run or when nothing changed). */
  changesetId?: string;
}

/** Restore points are changeset boundaries: a position inside a changeset would apply half of it. */
export async function checkChangesetBoundary(db: MetaledgerDb, position: number): Promise<void> {
  const rows = await runStatement(db, changesetAcross(position));
  if (rows[0]) {
    const { changeset_id, first, last } = rows[0];
    throw new ValidationError(
      [
        {
          path: 'position',
          message: `position ${position} falls inside changeset ${changeset_id} (positions ${first}..${last}); restore to ${Number(first) - 1} or ${last}`,
        },
      ],
      'invalid restore point',
    );
  }
}

function inSlice(namespace: string | undefined, ...documents: (ItemDocument | null)[]): boolean {
  return namespace === undefined || documents.some((document) => document?.namespace === namespace);
}

/** Per item of the slice: the event that brings it back to its state at the moment. */
async function planRestore(db: MetaledgerDb, moment: ResolvedMoment, options: RestoreOptions, writer: HistoryWriter) {
  const asStored = await statesAt(db, moment, { types: options.types });
  const then = new Map((await writer.currentShape([...asStored.values()])).map((state) => [state.itemId, state]));
  const steps: RestoreStep[] = [];
  const events: PendingEvent[] = [];
  const changes: PlannedRestoreChange[] = [];
  for (const head of await readStreamHeads(db, { types: options.types })) {
    const past = then.get(head.itemId)?.document ?? null;
    if (!inSlice(options.namespace, past, head.document)) continue;
    const patch = diffStates(head.document, past);
    if (patch.length === 0) continue;
    const action = !head.document ? 'recreate' : !past ? 'delete' : 'revert';
    const step: RestoreStep = { type: head.type, name: head.name, action, fromVersion: head.version, patch };
    steps.push(step);
    changes.push({ step, now: head.document, then: past });
    events.push(nextEvent(head, head.type, head.name, past ? 'restored' : 'deleted', past, writer.snapshotPolicy));
  }
  options.check?.(changes);
  return { steps, events };
}

/**
 * Brings the store (or a namespace, or some types) back to a moment in ONE changeset of forward
 * events: all or nothing. A concurrent write to a restored item makes the append conflict; the plan is
 * then recomputed on the new state (per the retry policy), so nothing written meanwhile is lost silently.
 */
export async function restore(writer: HistoryWriter, options: RestoreOptions): Promise<RestorePlan> {
  const given = [options.asOf !== undefined, options.position !== undefined].filter(Boolean).length;
  if (given !== 1) throw new ValidationError([{ path: 'asOf', message: 'give exactly one of asOf or position' }], 'invalid restore point');
  const moment = resolveMoment(options.asOf !== undefined ? { asOf: options.asOf } : { position: options.position! });
  const target = {
    restoreTo: 'asOf' in moment ? { asOf: moment.asOf.toISOString() } : moment,
    namespace: options.namespace ?? null,
    types: options.types ?? null,
  };
  const { result, changesetId } = await writer.commitChangeset({ ...options, source: 'restore', target }, async (db) => {
    if ('position' in moment) await checkChangesetBoundary(db, moment.position);
    const { steps, events } = await planRestore(db, moment, options, writer);
    return { result: steps, events: options.dryRun ? [] : events };
  });
  return { moment: describeMoment(moment), dryRun: options.dryRun ?? false, steps: result, changesetId };
}
