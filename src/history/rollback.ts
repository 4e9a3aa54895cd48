import { toDocument } from '../events/document.js';
import { diffStates } from '../events/patch.js';
import { checkExpectedVersion, nextEvent } from '../events/next-event.js';
import { getAt } from './get-at.js';
import type { ChangeReason, HistoryWriter } from './history-writer.js';
import { requireStream } from './item-ref.js';

/** The outcome of `store.rollback()`: the version written (or kept) and whether the item now exists. */
export interface RollbackResult {
  /** The item's version after the rollback (unchanged when it already matched). */
  version: number;
  toVersion: number;
  changed: boolean;
  status: 'exists' | 'deleted';
}

/**
 * Makes the item what it was at `toVersion`, as a new `rolled_back` event (never by removing events).
 * A deleted item comes back; rolling back to a version where it did not exist deletes it.
 */
export async function rollback(
  writer: HistoryWriter,
  type: string,
  name: string,
  toVersion: number,
  options: ChangeReason & { expectedVersion?: number } = {},
): Promise<RollbackResult> {
  const target = { rollbackTo: { type, name, version: toVersion } };
  const { result } = await writer.commitChangeset(
    { ...options, source: 'rollback', target },
    async (db) => {
      const head = await requireStream(db, type, name);
      checkExpectedVersion(type, name, head, options.expectedVersion);
      const [then] = await writer.currentShape([await getAt(db, type, name, { version: toVersion })]);
      const document = then.document ? toDocument(then.document) : null;
      if (diffStates(head.document, document).length === 0) {
        return {
          result: { version: head.version, toVersion, changed: false, status: document ? 'exists' : 'deleted' } as RollbackResult,
          events: [],
        };
      }
      const event = nextEvent(head, type, name, document ? 'rolled_back' : 'deleted', document, writer.snapshotPolicy);
      return {
        result: { version: event.version, toVersion, changed: true, status: document ? 'exists' : 'deleted' } as RollbackResult,
        events: [event],
      };
    },
    { userExpectedVersion: options.expectedVersion },
  );
  return result;
}
