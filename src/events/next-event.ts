import { randomUUID } from 'node:crypto';
import { ConflictError } from '../errors.js';
import type { PendingEvent } from './append-events.js';
import type { EventKind, ItemDocument } from './document.js';
import { diffStates } from './patch.js';
import type { StreamHead } from './read-stream-head.js';

/** Full state every this many versions, so reading any version folds a bounded number of patches. */
export interface SnapshotPolicy {
  snapshotEvery: number;
}

/** Checks `expectedVersion` against the head; 0 means "must not exist now" (never created, or deleted). */
export function checkExpectedVersion(type: string, name: string, head: StreamHead | null, expected?: number): void {
  if (expected === undefined) return;
  const live = head?.document ? head.version : 0;
  const matches = expected === 0 ? !head?.document : head?.version === expected;
  if (!matches) {
    throw new ConflictError(
      `${type}/${name}: expected version ${expected} but it is at version ${live}${head && !head.document ? ' (deleted)' : ''}`,
      expected,
      live,
    );
  }
}

/** The event taking an item's stream from `head` to `document` (null: the item is gone), with both patches. */
export function nextEvent(
  head: StreamHead | null,
  type: string,
  name: string,
  kind: EventKind,
  document: ItemDocument | null,
  policy: SnapshotPolicy,
): PendingEvent {
  const previous = head?.document ?? null;
  const version = (head?.version ?? 0) + 1;
  const everyN = version % policy.snapshotEvery === 0;
  return {
    itemId: head?.itemId ?? randomUUID(),
    type,
    name,
    version,
    kind,
    patch: diffStates(previous, document),
    inverse: diffStates(document, previous),
    // A delete keeps the state it removed. Any event that (re)creates the item, and every N-th version,
    // keeps the full state after it, so time travel folds at most N patches from a snapshot.
    snapshot: kind === 'deleted' ? previous : previous === null || everyN ? document : null,
    document,
    prevHash: head?.hash ?? null,
  };
}
